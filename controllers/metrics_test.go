package controllers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubechat/whatsapp-operator/controllers"
)

func TestObjectMetricsCountReadyByKindAndReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.readyProvider("acme")
	ok := f.channel("ok", phoneE164)
	typo := f.channel("typo", "+12025550999")
	f.waitCondition(ok, "Ready", metav1.ConditionTrue, "")
	f.waitCondition(typo, "Stalled", metav1.ConditionTrue, "PhoneNumberNotFound")

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
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			got[fam.GetName()+"{"+strings.Join(labels, ",")+"}"] += m.GetGauge().GetValue()
		}
	}
	// The reader is the API server, so objects of other tests' namespaces
	// count too: at least these series with at least these values.
	for series, min := range map[string]float64{
		"whatsapp_operator_objects{kind=WhatsAppChannel,ready=True,reason=Succeeded}":            1,
		"whatsapp_operator_objects{kind=WhatsAppChannel,ready=False,reason=PhoneNumberNotFound}": 1,
		"whatsapp_operator_objects{kind=MetaProvider,ready=True,reason=Succeeded}":               1,
	} {
		if got[series] < min {
			t.Errorf("%s = %v, want at least %v; all: %v", series, got[series], min, got)
		}
	}
	// The number's health, by channel: exactly these values.
	labels := fmt.Sprintf("channel=ok,namespace=%s,phone_number_id=%s", f.ns, phoneID)
	for series, want := range map[string]float64{
		"whatsapp_phone_number_quality{" + labels + ",rating=GREEN}":  1,
		"whatsapp_phone_number_quality{" + labels + ",rating=YELLOW}": 0,
		"whatsapp_phone_number_quality{" + labels + ",rating=RED}":    0,
		"whatsapp_phone_number_messaging_limit{" + labels + "}":       1000,
	} {
		if v, ok := got[series]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
		}
	}
	for series := range got {
		if strings.Contains(series, "channel=typo,") {
			t.Errorf("a channel without its number has number metrics: %s", series)
		}
	}
}
