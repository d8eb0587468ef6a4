package charts

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// checkMonitoringIsConfigMonitoring: with the monitoring values on, the
// chart renders config/prometheus' PodMonitors, PrometheusRule and
// dashboard, named with the release prefix and labelled as asked, with the
// same specs (the PodMonitors' scrape interval added); its ServiceMonitor
// keeps the objects' namespace label as config/prometheus/monitor.yaml does.
func checkMonitoringIsConfigMonitoring(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, want := range readObjects(t, "config/prometheus/podmonitors.yaml") {
		got := find(objs, "PodMonitor")[releaseNS+"/whatsapp-operator-"+want.GetName()]
		if got == nil {
			t.Errorf("PodMonitor whatsapp-operator-%s is not rendered; PodMonitors: %v", want.GetName(), keys(find(objs, "PodMonitor")))
			continue
		}
		wantSpec := want.DeepCopy().Object["spec"].(map[string]any)
		for _, ep := range wantSpec["podMetricsEndpoints"].([]any) {
			ep.(map[string]any)["interval"] = "30s"
		}
		if d := cmp.Diff(wantSpec, got.Object["spec"]); d != "" {
			t.Errorf("PodMonitor %s differs from config/prometheus (-config +chart):\n%s", want.GetName(), d)
		}
		if got.GetLabels()["release"] != "prometheus" {
			t.Errorf("PodMonitor %s lacks the asked label: %v", got.GetName(), got.GetLabels())
		}
	}
	rule := readObjects(t, "config/prometheus/prometheus-rule.yaml")[0]
	got := find(objs, "PrometheusRule")[releaseNS+"/whatsapp-operator-alerts"]
	if got == nil {
		t.Fatalf("no PrometheusRule; rendered: %v", keys(find(objs, "PrometheusRule")))
	}
	if d := cmp.Diff(rule.Object["spec"], got.Object["spec"]); d != "" {
		t.Errorf("the PrometheusRule differs from config/prometheus (-config +chart):\n%s", d)
	}
	if got.GetLabels()["release"] != "prometheus" {
		t.Errorf("PrometheusRule lacks the asked label: %v", got.GetLabels())
	}
	cm := find(objs, "ConfigMap")["monitoring/whatsapp-operator-grafana-dashboard"]
	if cm == nil {
		t.Fatalf("no dashboard ConfigMap in the asked namespace; ConfigMaps: %v", keys(find(objs, "ConfigMap")))
	}
	if cm.GetLabels()["grafana_dashboard"] != "1" {
		t.Errorf("dashboard ConfigMap labels %v, want grafana_dashboard=1 for Grafana's sidecar", cm.GetLabels())
	}
	raw, err := os.ReadFile("../config/prometheus/grafana/whatsapp-operator.json")
	if err != nil {
		t.Fatal(err)
	}
	var want, have any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	if err := json.Unmarshal([]byte(data["whatsapp-operator.json"]), &have); err != nil {
		t.Fatalf("the dashboard in the ConfigMap is not JSON: %v", err)
	}
	if d := cmp.Diff(want, have); d != "" {
		t.Errorf("the dashboard differs from config/prometheus (-config +chart):\n%s", d)
	}
	sm := find(objs, "ServiceMonitor")[releaseNS+"/whatsapp-operator"]
	if sm == nil || get(t, sm, "spec", "endpoints", "0", "honorLabels") != true {
		t.Error("the ServiceMonitor does not keep the objects' namespace label (honorLabels)")
	}
	configSM := readObjects(t, "config/prometheus/monitor.yaml")[0]
	if get(t, configSM, "spec", "endpoints", "0", "honorLabels") != true {
		t.Error("config/prometheus/monitor.yaml does not keep the objects' namespace label (honorLabels)")
	}
	if !strings.Contains(get(t, configSM, "spec", "selector", "matchLabels", "control-plane").(string), "controller-manager") {
		t.Error("config/prometheus/monitor.yaml does not select the operator's metrics Service")
	}
}
