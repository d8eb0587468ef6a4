package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// SharedState names a store that the replicas of the provider's webhook
// server and relay share: the webhook server claims each delivery there
// before forwarding it (exactly once to the chatbot across replicas), and
// the relay keeps one send budget per phone number there (the number's
// whole rate across replicas). Without it each replica keeps both in
// memory. A store outage never loses or blocks a message: deliveries
// become at-least-once and each relay replica paces at its share of the
// rate until the store answers again.
type SharedState struct {
	// redis is a Redis-protocol store: Redis, Valkey, or a managed service
	// (ElastiCache, Memorystore, Azure Cache) through one endpoint.
	// Cluster-mode endpoints are not supported.
	// +required
	Redis *RedisStore `json:"redis"`
}

// RedisStore locates a Redis-protocol store and the provider's keys in it.
type RedisStore struct {
	// address is host:port of the store, for example
	// redis.platform.svc.cluster.local:6379 or 10.0.0.5:6379. Loopback,
	// link-local and cloud metadata addresses are refused when the pods
	// connect. The webhook and relay pods must be able to reach it: a store
	// outside the provider's namespace needs its range in
	// spec.webhook.allowedEgressCIDRs where the webhook egress is limited.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=261
	// +kubebuilder:validation:XValidation:rule="self.matches('^([A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?|\\\\[[0-9A-Fa-f:.]+\\\\]):[0-9]{1,5}$')",message="spec.sharedState.redis.address must be host:port (a DNS name or an IP address, IPv6 in brackets), for example redis.platform.svc:6379"
	// +kubebuilder:validation:XValidation:rule="!self.matches(':[0-9]{1,5}$') || int(self.substring(self.lastIndexOf(':') + 1)) <= 65535",message="spec.sharedState.redis.address: the port must be at most 65535"
	// +required
	Address string `json:"address"`

	// database is the logical database (SELECT); 0 by default. Managed
	// services in cluster mode have only 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=255
	// +optional
	Database int32 `json:"database,omitempty"`

	// username is the ACL user (Redis 6 and later); empty means the
	// default user. Give each team's providers a user limited to their
	// keys (see docs/security.md).
	// +kubebuilder:validation:MaxLength=128
	// +kubebuilder:validation:Pattern=`^[!-~]*$`
	// +optional
	Username string `json:"username,omitempty"`

	// passwordSecretRef names the key of a Secret in the provider's
	// namespace that holds the password. The kubelet mounts only that key
	// into the webhook and relay pods, whose ServiceAccounts cannot read
	// the Secret; a rotated password is used by the next connection.
	// +optional
	PasswordSecretRef *SecretKeyReference `json:"passwordSecretRef,omitempty"`

	// tls, when set, connects over TLS.
	// +optional
	TLS *RedisTLS `json:"tls,omitempty"`

	// keyPrefix starts every key the provider's workloads write; the
	// provider's namespace/name follows it, so providers never share a key
	// whatever prefix each picks. Default "whatsapp:". It must end in ':'.
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.matches('^[A-Za-z0-9._-]*(:[A-Za-z0-9._-]*)*:$')",message="spec.sharedState.redis.keyPrefix must end in ':' and hold only letters, digits, '.', '_', '-' and ':'"
	// +optional
	KeyPrefix string `json:"keyPrefix,omitempty"`

	// dedupeTTL is how long a message delivered to a chatbot is remembered,
	// between 10m and 168h; default 24h. Meta retries a batch that was not
	// acknowledged for up to 7 days; a batch is retried that long only
	// while one of its chatbots keeps failing, and the parts other
	// chatbots took are delivered again once this TTL passed. Raise it
	// (up to 168h) when a chatbot may be down for longer than a day; each
	// remembered item costs the store about 100 bytes.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('10m') && duration(self) <= duration('168h')",message="spec.sharedState.redis.dedupeTTL must be between 10m and 168h (Meta retries for up to 7 days)"
	// +optional
	DedupeTTL *metav1.Duration `json:"dedupeTTL,omitempty"`
}

// RedisTLS configures TLS to the store.
// +kubebuilder:validation:XValidation:rule="!(has(self.caSecretRef) && has(self.caConfigMapRef))",message="spec.sharedState.redis.tls: set at most one of caSecretRef and caConfigMapRef"
type RedisTLS struct {
	// caSecretRef names a key of a Secret in the provider's namespace
	// holding the PEM certificates that may sign the store's certificate.
	// Without a CA the system roots are used.
	// +optional
	CASecretRef *SecretKeyReference `json:"caSecretRef,omitempty"`

	// caConfigMapRef names a key of a ConfigMap in the provider's namespace
	// holding those PEM certificates.
	// +optional
	CAConfigMapRef *ConfigMapKeyReference `json:"caConfigMapRef,omitempty"`

	// serverName is the name expected in the store's certificate; default
	// the host of address.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$`
	// +optional
	ServerName string `json:"serverName,omitempty"`
}

// ConfigMapKeyReference names one key of a ConfigMap in the same namespace.
type ConfigMapKeyReference struct {
	// name of the ConfigMap in the same namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`

	// key in the ConfigMap's data.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +required
	Key string `json:"key"`
}
