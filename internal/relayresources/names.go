package relayresources

// Container and port names of the relay.
const (
	containerName = "relay"
	portRelay     = "relay"
	portMetrics   = "metrics"
	relayPort     = 8081
	metricsPort   = 9090
	servicePort   = 80
	nameSuffix    = "-relay"
)

// Name is the name of every relay object of the MetaProvider providerName:
// "<providerName>-relay". Chatbots send to http://<providerName>-relay.<namespace>.
func Name(providerName string) string { return providerName + nameSuffix }
