package controllers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
)

// stalledDesc names each object that needs a human (Stalled=True), so an
// alert can say which one and why; whatsapp_operator_objects only counts
// them. A series exists only while the object is Stalled: objects are
// few, and stalled ones fewer.
//
//	whatsapp_object_stalled == 1   (for: 15m)
var stalledDesc = prometheus.NewDesc(
	"whatsapp_object_stalled",
	"1 for each MetaProvider, WhatsAppChannel or MessageTemplate whose Stalled condition is True (a human must act; kubectl describe says what), with the condition's reason.",
	[]string{"kind", "namespace", "name", "reason"}, nil,
)

type stalledCollector struct{ reader client.Reader }

func (c *stalledCollector) Describe(ch chan<- *prometheus.Desc) { ch <- stalledDesc }

func (c *stalledCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var (
		providers whatsappv1alpha1.MetaProviderList
		channels  whatsappv1alpha1.WhatsAppChannelList
		templates whatsappv1alpha1.MessageTemplateList
	)
	emit := func(kind string, obj statusObject) {
		if s := conditions.Get(obj, whatsappv1alpha1.ConditionStalled); s != nil && s.Status == metav1.ConditionTrue {
			ch <- prometheus.MustNewConstMetric(stalledDesc, prometheus.GaugeValue, 1, kind, obj.GetNamespace(), obj.GetName(), s.Reason)
		}
	}
	if c.reader.List(ctx, &providers) == nil {
		for i := range providers.Items {
			emit("MetaProvider", &providers.Items[i])
		}
	}
	if c.reader.List(ctx, &channels) == nil {
		for i := range channels.Items {
			emit("WhatsAppChannel", &channels.Items[i])
		}
	}
	if c.reader.List(ctx, &templates) == nil {
		for i := range templates.Items {
			emit("MessageTemplate", &templates.Items[i])
		}
	}
}
