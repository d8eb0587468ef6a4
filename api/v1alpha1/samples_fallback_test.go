package v1alpha1_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/runtime"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/relay"
)

// TestSampleFallbackTemplateServesTheRelay: the new_bot_message shipped in
// config/samples is, once Meta approves it, exactly what the relay of the
// sample MetaProvider falls back to (judged by the relay's own function).
func TestSampleFallbackTemplateServesTheRelay(t *testing.T) {
	var p whatsappv1alpha1.MetaProvider
	var mt whatsappv1alpha1.MessageTemplate
	for file, into := range map[string]any{
		"whatsapp_v1alpha1_metaprovider.yaml":          &p,
		"whatsapp_v1alpha1_messagetemplate_named.yaml": &mt,
	} {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(sample(t, file).Object, into); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	if problem := relay.FallbackTemplateProblem(&p, []whatsappv1alpha1.MessageTemplate{mt}); problem == "" {
		t.Error("a template Meta has not approved yet must be reported")
	}
	mt.Status.ApprovalStatus = "APPROVED"
	if problem := relay.FallbackTemplateProblem(&p, []whatsappv1alpha1.MessageTemplate{mt}); problem != "" {
		t.Errorf("the sample new_bot_message, approved, does not serve the sample provider's relay: %s", problem)
	}
}
