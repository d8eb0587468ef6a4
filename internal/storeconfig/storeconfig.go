// Package storeconfig turns a MetaProvider's spec.sharedState into what
// the operator gives the webhook and relay pods: the --redis-* flags, and
// volumes that hold exactly the password key and the CA key (mounted by
// the kubelet: the pods' ServiceAccounts never read those Secrets or
// ConfigMaps). Decision 024.
package storeconfig

import (
	"net/netip"
	"strconv"

	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// Where the pods find the mounted password and CA.
const (
	passwordVolume = "redis-password"
	passwordDir    = "/var/run/whatsapp-operator/redis-password"
	passwordFile   = "password"
	caVolume       = "redis-ca"
	caDir          = "/var/run/whatsapp-operator/redis-ca"
	caFile         = "ca.crt"
	// fileMode: read by the pod's user only.
	fileMode int32 = 0o400
)

// Pod is what a pod needs for the store: flags to append to its command
// line, volumes and their mounts. All empty without spec.sharedState.
type Pod struct {
	Args    []string
	Volumes []*corev1ac.VolumeApplyConfiguration
	Mounts  []*corev1ac.VolumeMountApplyConfiguration
}

// EgressTo is the store's address when it is an IP address: the webhook
// pods' egress NetworkPolicy opens exactly that address and port. A store
// named by DNS cannot be written into a NetworkPolicy: its range goes in
// spec.webhook.allowedEgressCIDRs (or it lives in the provider's
// namespace, which the policy admits).
func EgressTo(p *whatsappv1alpha1.MetaProvider) (netip.AddrPort, bool) {
	if p.Spec.SharedState == nil || p.Spec.SharedState.Redis == nil {
		return netip.AddrPort{}, false
	}
	ap, err := netip.ParseAddrPort(p.Spec.SharedState.Redis.Address)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// For returns the store settings of p's pods; dedupeTTL says whether the
// pod takes --redis-dedupe-ttl (the webhook server does, the relay not).
func For(p *whatsappv1alpha1.MetaProvider, dedupeTTL bool) Pod {
	if p.Spec.SharedState == nil || p.Spec.SharedState.Redis == nil {
		return Pod{}
	}
	r := p.Spec.SharedState.Redis
	var out Pod
	out.Args = []string{"--redis-address", r.Address}
	if r.Database != 0 {
		out.Args = append(out.Args, "--redis-database", strconv.Itoa(int(r.Database)))
	}
	if r.Username != "" {
		out.Args = append(out.Args, "--redis-username", r.Username)
	}
	if r.KeyPrefix != "" {
		out.Args = append(out.Args, "--redis-key-prefix", r.KeyPrefix)
	}
	if dedupeTTL && r.DedupeTTL != nil {
		out.Args = append(out.Args, "--redis-dedupe-ttl", r.DedupeTTL.Duration.String())
	}
	if ref := r.PasswordSecretRef; ref != nil {
		out.Args = append(out.Args, "--redis-password-file", passwordDir+"/"+passwordFile)
		out.Volumes = append(out.Volumes, corev1ac.Volume().WithName(passwordVolume).
			WithSecret(corev1ac.SecretVolumeSource().WithSecretName(ref.Name).WithDefaultMode(fileMode).
				WithItems(corev1ac.KeyToPath().WithKey(ref.Key).WithPath(passwordFile))))
		out.Mounts = append(out.Mounts, corev1ac.VolumeMount().WithName(passwordVolume).WithMountPath(passwordDir).WithReadOnly(true))
	}
	if t := r.TLS; t != nil {
		out.Args = append(out.Args, "--redis-tls")
		if t.ServerName != "" {
			out.Args = append(out.Args, "--redis-server-name", t.ServerName)
		}
		var v *corev1ac.VolumeApplyConfiguration
		switch {
		case t.CASecretRef != nil:
			v = corev1ac.Volume().WithName(caVolume).WithSecret(corev1ac.SecretVolumeSource().
				WithSecretName(t.CASecretRef.Name).WithDefaultMode(fileMode).
				WithItems(corev1ac.KeyToPath().WithKey(t.CASecretRef.Key).WithPath(caFile)))
		case t.CAConfigMapRef != nil:
			v = corev1ac.Volume().WithName(caVolume).WithConfigMap(corev1ac.ConfigMapVolumeSource().
				WithName(t.CAConfigMapRef.Name).WithDefaultMode(fileMode).
				WithItems(corev1ac.KeyToPath().WithKey(t.CAConfigMapRef.Key).WithPath(caFile)))
		}
		if v != nil {
			out.Args = append(out.Args, "--redis-ca-file", caDir+"/"+caFile)
			out.Volumes = append(out.Volumes, v)
			out.Mounts = append(out.Mounts, corev1ac.VolumeMount().WithName(caVolume).WithMountPath(caDir).WithReadOnly(true))
		}
	}
	return out
}
