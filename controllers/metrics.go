package controllers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// objectsDesc counts objects by kind and by the status of their Ready
// condition (True, False, Unknown) and its reason. It is computed from the
// informer cache at scrape time: no per-object series, no bookkeeping.
var objectsDesc = prometheus.NewDesc(
	"whatsapp_operator_objects",
	"Objects by kind, Ready status and Ready reason.",
	[]string{"kind", "ready", "reason"}, nil,
)

type objectsCollector struct{ reader client.Reader }

// RegisterMetrics registers the object gauges, the stalled objects
// (metrics_stalled.go), the phone numbers' quality and messaging limit
// (metrics_numbers.go), the tokens' expiry (metrics_tokens.go) and the
// templates' status at Meta (metrics_templates.go), all read from reader
// (the manager's cache) at scrape time.
func RegisterMetrics(r prometheus.Registerer, reader client.Reader) error {
	for _, c := range []prometheus.Collector{
		&objectsCollector{reader: reader},
		&stalledCollector{reader: reader},
		&numbersCollector{reader: reader},
		&tokensCollector{reader: reader},
		&templatesCollector{reader: reader},
	} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (c *objectsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- objectsDesc }

func (c *objectsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	lists := map[string]client.ObjectList{
		"MetaProvider":    &whatsappv1alpha1.MetaProviderList{},
		"WhatsAppChannel": &whatsappv1alpha1.WhatsAppChannelList{},
		"MessageTemplate": &whatsappv1alpha1.MessageTemplateList{},
	}
	for kind, list := range lists {
		if err := c.reader.List(ctx, list); err != nil {
			continue
		}
		counts := map[[2]string]int{}
		for _, conds := range conditionLists(list) {
			status, reason := "Unknown", "Unseen"
			for _, cond := range conds {
				if cond.Type == whatsappv1alpha1.ConditionReady {
					status, reason = string(cond.Status), cond.Reason
				}
			}
			counts[[2]string{status, reason}]++
		}
		for k, n := range counts {
			ch <- prometheus.MustNewConstMetric(objectsDesc, prometheus.GaugeValue, float64(n), kind, k[0], k[1])
		}
	}
}

func conditionLists(list client.ObjectList) [][]metav1.Condition {
	var out [][]metav1.Condition
	switch l := list.(type) {
	case *whatsappv1alpha1.MetaProviderList:
		for i := range l.Items {
			out = append(out, l.Items[i].Status.Conditions)
		}
	case *whatsappv1alpha1.WhatsAppChannelList:
		for i := range l.Items {
			out = append(out, l.Items[i].Status.Conditions)
		}
	case *whatsappv1alpha1.MessageTemplateList:
		for i := range l.Items {
			out = append(out, l.Items[i].Status.Conditions)
		}
	}
	return out
}
