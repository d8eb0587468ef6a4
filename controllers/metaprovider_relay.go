package controllers

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
	"github.com/kubechat/whatsapp-operator/internal/conditions"
	"github.com/kubechat/whatsapp-operator/internal/relayresources"
)

// applyRelay applies the managed outbound relay's objects and records
// their readiness in status.relay and the RelayReady condition (which
// fallbackTemplate may qualify later in the reconcile).
func (s *providerSync) applyRelay(ctx context.Context) error {
	p := s.p
	if was := conditions.Get(p, whatsappv1alpha1.ConditionRelayReady); was != nil {
		c := *was
		s.relayWas = &c
	}
	rr, err := relayresources.Apply(ctx, s.workloadClients(), s.scheme, p, s.relayResources)
	if err != nil {
		return s.workloadFailure(whatsappv1alpha1.ConditionRelayReady, whatsappv1alpha1.ReasonWaitingForRelay, "relay", err)
	}
	s.relay = rr
	p.Status.Relay = &whatsappv1alpha1.ProviderRelayStatus{ServiceName: rr.ServiceName, ReadyReplicas: rr.ReadyReplicas}
	if rr.Ready {
		conditions.Set(p, whatsappv1alpha1.ConditionRelayReady, metav1.ConditionTrue, whatsappv1alpha1.ReasonSucceeded, relayReadyMessage(rr))
	} else {
		conditions.Set(p, whatsappv1alpha1.ConditionRelayReady, metav1.ConditionFalse, whatsappv1alpha1.ReasonWaitingForRelay, workloadWaitMessage("relay", rr))
	}
	return nil
}

func relayReadyMessage(rr relayresources.Result) string {
	return fmt.Sprintf("relay %s has %d/%d ready replicas", rr.ServiceName, rr.ReadyReplicas, rr.DesiredReplicas)
}
