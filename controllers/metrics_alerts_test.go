package controllers_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubechat/whatsapp-operator/controllers"
	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// gatherGauges scrapes the operator's object metrics from the API server
// and returns the series of namespace ns as "name{label=value,...}" →
// value, labels sorted by name, the namespace label left out.
func gatherGauges(t *testing.T, f *fixture) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	if err := controllers.RegisterMetrics(reg, f.c); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, fam := range families {
		for _, m := range fam.GetMetric() {
			var labels []string
			inNamespace := false
			for _, l := range m.GetLabel() {
				if l.GetName() == "namespace" {
					inNamespace = l.GetValue() == f.ns
					continue
				}
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			if inNamespace {
				got[fam.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetGauge().GetValue()
			}
		}
	}
	return got
}

// TestAlertMetrics: what the PrometheusRule alerts on (config/prometheus)
// is exported per object, from the objects' status: the token's expiry,
// the templates' status at Meta, the objects that need a human.
func TestAlertMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{review: graphsim.Review{Status: "APPROVED"}, reviewDelay: 100 * time.Millisecond})
	expires := time.Now().Add(10 * 24 * time.Hour).Truncate(time.Second)
	f.sim.AddToken(graphsim.Token{Value: "EAAG-expiring-" + f.ns, AppID: appID, ExpiresAt: expires})
	f.create(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "acme-meta"},
		StringData: map[string]string{"accessToken": "EAAG-expiring-" + f.ns, "appSecret": appSecret, "verifyToken": f.verify},
	})
	p := f.provider("acme")
	f.markWebhookReady("acme")
	f.waitCondition(p, "Ready", metav1.ConditionTrue, "")
	mt := f.template("order-update")
	typo := f.channel("typo", "+12025550999")
	f.waitCondition(mt, "Ready", metav1.ConditionTrue, "")
	f.waitCondition(typo, "Stalled", metav1.ConditionTrue, "PhoneNumberNotFound")

	got := gatherGauges(t, f)
	want := map[string]float64{
		"whatsapp_provider_token_expiration_timestamp_seconds{provider=acme}":                float64(expires.Unix()),
		"whatsapp_object_stalled{kind=WhatsAppChannel,name=typo,reason=PhoneNumberNotFound}": 1,
	}
	for _, s := range []string{"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"} {
		v := 0.0
		if s == "APPROVED" {
			v = 1
		}
		want[fmt.Sprintf("whatsapp_message_template_status{language=en_US,name=order_update,status=%s,template=order-update}", s)] = v
	}
	for series, v := range want {
		if g, ok := got[series]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", series, g, ok, v)
		}
	}
	for series := range got {
		if strings.HasPrefix(series, "whatsapp_object_stalled{") && !strings.Contains(series, "name=typo,") {
			t.Errorf("an object that is not Stalled has a stalled series: %s", series)
		}
	}

	// Meta pauses the template: the PAUSED series turns 1, APPROVED 0, and
	// the template (Stalled, reason Paused) is named as needing a human.
	if err := f.sim.SetTemplateStatus(mt.Status.TemplateID, "PAUSED", ""); err != nil {
		t.Fatal(err)
	}
	f.requestReconcile(mt)
	f.waitCondition(mt, "Stalled", metav1.ConditionTrue, "Paused")
	got = gatherGauges(t, f)
	for series, v := range map[string]float64{
		"whatsapp_message_template_status{language=en_US,name=order_update,status=PAUSED,template=order-update}":   1,
		"whatsapp_message_template_status{language=en_US,name=order_update,status=APPROVED,template=order-update}": 0,
		"whatsapp_object_stalled{kind=MessageTemplate,name=order-update,reason=Paused}":                            1,
	} {
		if g, ok := got[series]; !ok || g != v {
			t.Errorf("after the pause: %s = %v (present %v), want %v", series, g, ok, v)
		}
	}
}
