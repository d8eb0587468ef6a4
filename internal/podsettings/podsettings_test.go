package podsettings

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

func TestMerge(t *testing.T) {
	defaults := &v1alpha1.PodSettings{
		NodeSelector:      map[string]v1alpha1.LabelValue{"kubernetes.io/os": "linux", "pool": "general"},
		Tolerations:       []corev1.Toleration{{Key: "platform", Operator: corev1.TolerationOpExists}},
		PriorityClassName: "platform-default",
		Labels:            map[string]v1alpha1.LabelValue{"team": "platform", "cost-center": "1"},
		Resources:         &v1alpha1.PodResources{Limits: &v1alpha1.ResourceAmounts{Memory: "512Mi"}},
	}
	override := &v1alpha1.PodSettings{
		NodeSelector: map[string]v1alpha1.LabelValue{"pool": "edge"},
		Tolerations:  []corev1.Toleration{{Key: "edge", Operator: corev1.TolerationOpExists}},
		Labels:       map[string]v1alpha1.LabelValue{"team": "support"},
	}
	got := Merge(defaults, override)
	want := v1alpha1.PodSettings{
		NodeSelector:      map[string]v1alpha1.LabelValue{"kubernetes.io/os": "linux", "pool": "edge"},
		Tolerations:       []corev1.Toleration{{Key: "edge", Operator: corev1.TolerationOpExists}},
		PriorityClassName: "platform-default",
		Labels:            map[string]v1alpha1.LabelValue{"team": "support", "cost-center": "1"},
		Resources:         &v1alpha1.PodResources{Limits: &v1alpha1.ResourceAmounts{Memory: "512Mi"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("maps merge key by key, other fields are replaced when set (-want +got):\n%s", d)
	}
	if defaults.NodeSelector["pool"] != "general" || defaults.Labels["team"] != "platform" {
		t.Error("Merge changed the defaults, which every provider shares")
	}
	if d := cmp.Diff(v1alpha1.PodSettings{}, Merge(nil, nil)); d != "" {
		t.Errorf("no defaults, no override: nothing set:\n%s", d)
	}
}

func TestParseDefaultsRefusesWhatAdmissionRefuses(t *testing.T) {
	cases := map[string]struct {
		value  string
		wantIn string
	}{
		"selector label":     {`{"labels":{"app.kubernetes.io/instance":"x"}}`, "selects the pods"},
		"operator label":     {`{"labels":{"whatsapp.kubechat.io/provider":"x"}}`, "selects the pods"},
		"bad label value":    {`{"labels":{"team":"a b"}}`, "labels: value"},
		"apparmor":           {`{"annotations":{"container.apparmor.security.beta.kubernetes.io/relay":"unconfined"}}`, "hardening"},
		"starved memory":     {`{"resources":{"limits":{"memory":"16Mi"}}}`, "at least 64Mi"},
		"requests over":      {`{"resources":{"requests":{"cpu":"2"},"limits":{"cpu":"1"}}}`, "requests.cpu"},
		"not a quantity":     {`{"resources":{"requests":{"memory":"lots"}}}`, "not a positive quantity"},
		"unknown field":      {`{"podLabels":{"a":"b"}}`, "unknown field"},
		"bad priority class": {`{"priorityClassName":"Not_Valid"}`, "priorityClassName"},
	}
	for name, tc := range cases {
		_, err := ParseDefaults("webhook-pod-defaults", tc.value)
		if err == nil || !strings.Contains(err.Error(), tc.wantIn) || !strings.Contains(err.Error(), "--webhook-pod-defaults") {
			t.Errorf("%s: err = %v, want one naming the flag and %q", name, err, tc.wantIn)
		}
	}
	s, err := ParseDefaults("relay-pod-defaults", `{"nodeSelector":{"pool":"edge"},"labels":{"team":"platform"},"resources":{"limits":{"memory":"512Mi"}}}`)
	if err != nil || s.NodeSelector["pool"] != "edge" {
		t.Errorf("valid defaults: %+v, %v", s, err)
	}
	if s, err := ParseDefaults("relay-pod-defaults", ""); s != nil || err != nil {
		t.Errorf("empty flag: %+v, %v; want no defaults", s, err)
	}
}

func TestEffectiveResources(t *testing.T) {
	builtin := Resources{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("256Mi")},
	}
	cases := map[string]struct {
		reason         string
		in             *v1alpha1.PodResources
		reqMem, limMem string
		goMemLimit     string
		reqCPU, limCPU string
	}{
		"none":          {"the operator's own", nil, "64Mi", "256Mi", "230MiB", "50m", ""},
		"larger limit":  {"only the limit replaced; GOMEMLIMIT follows it", &v1alpha1.PodResources{Limits: &v1alpha1.ResourceAmounts{Memory: "1Gi"}}, "64Mi", "1Gi", "921MiB", "50m", ""},
		"large request": {"a request above the builtin limit raises the limit: the pod stays valid", &v1alpha1.PodResources{Requests: &v1alpha1.ResourceAmounts{Memory: "512Mi"}}, "512Mi", "512Mi", "460MiB", "50m", ""},
		"cpu":           {"cpu request and limit", &v1alpha1.PodResources{Requests: &v1alpha1.ResourceAmounts{CPU: "200m"}, Limits: &v1alpha1.ResourceAmounts{CPU: "1"}}, "64Mi", "256Mi", "230MiB", "200m", "1"},
	}
	for name, tc := range cases {
		r := Effective(builtin, tc.in)
		q := func(l corev1.ResourceList, n corev1.ResourceName) string {
			if v, ok := l[n]; ok {
				return v.String()
			}
			return ""
		}
		got := []string{q(r.Requests, corev1.ResourceMemory), q(r.Limits, corev1.ResourceMemory), r.GoMemLimit(), q(r.Requests, corev1.ResourceCPU), q(r.Limits, corev1.ResourceCPU)}
		want := []string{tc.reqMem, tc.limMem, tc.goMemLimit, tc.reqCPU, tc.limCPU}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (%s): [reqMem limMem GOMEMLIMIT reqCPU limCPU] (-want +got):\n%s", name, tc.reason, d)
		}
	}
	if builtin.Limits.Memory().String() != "256Mi" {
		t.Error("Effective changed the builtin resources")
	}
}

func TestLabelsKeepTheOperatorsOwn(t *testing.T) {
	own := map[string]string{"app.kubernetes.io/name": "whatsapp-webhook", "app.kubernetes.io/instance": "acme"}
	got := Labels(own, v1alpha1.PodSettings{Labels: map[string]v1alpha1.LabelValue{"app.kubernetes.io/instance": "stolen", "team": "support"}})
	if got["app.kubernetes.io/instance"] != "acme" || got["team"] != "support" {
		t.Errorf("labels %v: the operator's selector labels must win, the team's be added", got)
	}
}

func TestScheduleSetsOnlyWhatIsSet(t *testing.T) {
	secs := int64(30)
	s := v1alpha1.PodSettings{
		NodeSelector:      map[string]v1alpha1.LabelValue{"pool": "edge"},
		Tolerations:       []corev1.Toleration{{Key: "edge", Operator: corev1.TolerationOpEqual, Value: "yes", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &secs}},
		Affinity:          &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}}}}}},
		PriorityClassName: "critical",
	}
	spec := Schedule(corev1ac.PodSpec(), s)
	if spec.NodeSelector["pool"] != "edge" || *spec.PriorityClassName != "critical" || len(spec.Tolerations) != 1 || *spec.Tolerations[0].TolerationSeconds != 30 {
		t.Errorf("spec = %+v", spec)
	}
	if spec.Affinity == nil || spec.Affinity.NodeAffinity == nil || *spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0].Key != "zone" {
		t.Errorf("affinity not carried: %+v", spec.Affinity)
	}
	empty := Schedule(corev1ac.PodSpec(), v1alpha1.PodSettings{})
	if empty.NodeSelector != nil || empty.Affinity != nil || empty.PriorityClassName != nil || empty.Tolerations != nil {
		t.Errorf("unset settings set something: %+v", empty)
	}
}
