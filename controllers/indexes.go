package controllers

import (
	"context"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/graph"
)

// Field indexes on the manager's cache.
const (
	// indexSecretName: MetaProviders by credentials Secret name.
	indexSecretName = "spec.credentialsSecretRef.name"
	// indexProviderName: channels and templates by providerRef name.
	indexProviderName = "spec.providerRef.name"
	// indexPhoneDigits: channels by the digits of spec.phoneNumber.
	indexPhoneDigits = "spec.phoneNumber.digits"
	// indexBusinessAccount: MetaProviders by WABA id.
	indexBusinessAccount = "spec.businessAccountID"
	// indexPINSecretName: channels by the Secret holding their number's PIN.
	indexPINSecretName = "spec.registration.pinSecretRef.name"
)

func setupIndexes(mgr ctrl.Manager) error {
	ctx := context.Background()
	idx := mgr.GetFieldIndexer()
	if err := idx.IndexField(ctx, &whatsappv1alpha1.MetaProvider{}, indexSecretName, func(o client.Object) []string {
		return []string{o.(*whatsappv1alpha1.MetaProvider).Spec.CredentialsSecretRef.Name}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &whatsappv1alpha1.MetaProvider{}, indexBusinessAccount, func(o client.Object) []string {
		return []string{o.(*whatsappv1alpha1.MetaProvider).Spec.BusinessAccountID}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &whatsappv1alpha1.WhatsAppChannel{}, indexProviderName, func(o client.Object) []string {
		return []string{o.(*whatsappv1alpha1.WhatsAppChannel).Spec.ProviderRef.Name}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &whatsappv1alpha1.WhatsAppChannel{}, indexPhoneDigits, func(o client.Object) []string {
		return []string{graph.Digits(o.(*whatsappv1alpha1.WhatsAppChannel).Spec.PhoneNumber)}
	}); err != nil {
		return err
	}
	if err := idx.IndexField(ctx, &whatsappv1alpha1.WhatsAppChannel{}, indexPINSecretName, func(o client.Object) []string {
		if r := o.(*whatsappv1alpha1.WhatsAppChannel).Spec.Registration; r != nil {
			return []string{r.PINSecretRef.Name}
		}
		return nil
	}); err != nil {
		return err
	}
	return idx.IndexField(ctx, &whatsappv1alpha1.MessageTemplate{}, indexProviderName, func(o client.Object) []string {
		return []string{o.(*whatsappv1alpha1.MessageTemplate).Spec.ProviderRef.Name}
	})
}
