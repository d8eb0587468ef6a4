package controllers

import (
	"context"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// templateStatusDesc is each template's status at Meta, one series per
// status with 1 for the current one (as kube-state-metrics' pod phase), so
// an alert on PAUSED or REJECTED can match before it ever fired. Read from
// status.approvalStatus in the informer cache at scrape time, for
// templates Meta holds (status.templateID set).
//
//	whatsapp_message_template_status{status=~"PAUSED|DISABLED|REJECTED"} == 1
var templateStatusDesc = prometheus.NewDesc(
	"whatsapp_message_template_status",
	"Status Meta gives a MessageTemplate's template (APPROVED, PENDING, REJECTED, PAUSED, DISABLED, or another Meta reports): 1 for the current status, 0 for the others.",
	[]string{"namespace", "template", "name", "language", "status"}, nil,
)

// templateStatuses are the statuses always exported: Meta's review
// outcomes and its quality actions. Others Meta reports (IN_APPEAL,
// PENDING_DELETION, …) get a series while current.
var templateStatuses = []string{"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"}

type templatesCollector struct{ reader client.Reader }

func (c *templatesCollector) Describe(ch chan<- *prometheus.Desc) { ch <- templateStatusDesc }

func (c *templatesCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var list whatsappv1alpha1.MessageTemplateList
	if err := c.reader.List(ctx, &list); err != nil {
		return
	}
	for i := range list.Items {
		t := &list.Items[i]
		current := t.Status.ApprovalStatus
		if t.Status.TemplateID == "" || current == "" {
			continue // not at Meta (yet)
		}
		statuses := templateStatuses
		if !slices.Contains(statuses, current) {
			statuses = append(slices.Clip(statuses), current)
		}
		for _, s := range statuses {
			v := 0.0
			if s == current {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(templateStatusDesc, prometheus.GaugeValue, v,
				t.Namespace, t.Name, t.Status.Name, t.Spec.Language, s)
		}
	}
}
