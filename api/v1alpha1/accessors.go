package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// GetConditions returns the status conditions.
func (p *MetaProvider) GetConditions() []metav1.Condition { return p.Status.Conditions }

// SetConditions replaces the status conditions.
func (p *MetaProvider) SetConditions(c []metav1.Condition) { p.Status.Conditions = c }

// GetConditions returns the status conditions.
func (c *WhatsAppChannel) GetConditions() []metav1.Condition { return c.Status.Conditions }

// SetConditions replaces the status conditions.
func (c *WhatsAppChannel) SetConditions(conds []metav1.Condition) { c.Status.Conditions = conds }

// GetConditions returns the status conditions.
func (t *MessageTemplate) GetConditions() []metav1.Condition { return t.Status.Conditions }

// SetConditions replaces the status conditions.
func (t *MessageTemplate) SetConditions(c []metav1.Condition) { t.Status.Conditions = c }

// GetReconcileStatus returns the kstatus fields of the status.
func (p *MetaProvider) GetReconcileStatus() *ReconcileStatus { return &p.Status.ReconcileStatus }

// GetReconcileStatus returns the kstatus fields of the status.
func (c *WhatsAppChannel) GetReconcileStatus() *ReconcileStatus { return &c.Status.ReconcileStatus }

// GetReconcileStatus returns the kstatus fields of the status.
func (t *MessageTemplate) GetReconcileStatus() *ReconcileStatus { return &t.Status.ReconcileStatus }

// IsSuspended tells whether spec.suspend asks the operator to leave the
// provider alone.
func (p *MetaProvider) IsSuspended() bool { return p.Spec.Suspend }

// IsSuspended tells whether spec.suspend asks the operator to leave the
// channel alone.
func (c *WhatsAppChannel) IsSuspended() bool { return c.Spec.Suspend }

// IsSuspended tells whether spec.suspend asks the operator to leave the
// template alone.
func (t *MessageTemplate) IsSuspended() bool { return t.Spec.Suspend }
