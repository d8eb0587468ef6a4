package metricinventory

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// sampleReader holds one object of each kind with the status the
// operator's scrape-time collectors read, so that each of their metrics
// has a series. It stands in for the manager's cache; what the collectors
// compute from real objects is tested in controllers on envtest.
func sampleReader() (client.Reader, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := whatsappv1alpha1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	ready := []metav1.Condition{{Type: whatsappv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: whatsappv1alpha1.ReasonSucceeded}}
	stalled := []metav1.Condition{
		{Type: whatsappv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: whatsappv1alpha1.ReasonPaused},
		{Type: whatsappv1alpha1.ConditionStalled, Status: metav1.ConditionTrue, Reason: whatsappv1alpha1.ReasonPaused},
	}
	expires := metav1.NewTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))

	p := &whatsappv1alpha1.MetaProvider{ObjectMeta: metav1.ObjectMeta{Name: "acme", Namespace: "sample"}}
	p.Status.TokenExpiresAt = &expires
	p.Status.Conditions = ready
	ch := &whatsappv1alpha1.WhatsAppChannel{ObjectMeta: metav1.ObjectMeta{Name: "support", Namespace: "sample"}}
	ch.Status.PhoneNumberID, ch.Status.QualityRating, ch.Status.MessagingLimitTier = "120211111111111", "GREEN", "TIER_1K"
	ch.Status.Conditions = ready
	mt := &whatsappv1alpha1.MessageTemplate{ObjectMeta: metav1.ObjectMeta{Name: "order-update", Namespace: "sample"}}
	mt.Spec.Language = "en_US"
	mt.Status.Name, mt.Status.TemplateID, mt.Status.ApprovalStatus = "order_update", "594425479261596", "PAUSED"
	mt.Status.Conditions = stalled

	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(p, ch, mt).WithStatusSubresource(p, ch, mt).Build(), nil
}
