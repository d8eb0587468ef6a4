package webhookserver

import (
	"net"
	"net/netip"
	"time"

	"github.com/kubechat/whatsapp-operator/internal/dialguard"
)

// refusedBlocks are the built-in blocks an opt-in range may re-open, each
// only for a range inside it: link-local (node-local services such as a
// node-local DNS cache live there). Loopback is never re-opened by a range:
// in a pod it is the pod itself, so a chatbot there is a loop. Only
// Options.ChatbotAllowLoopback, for a server outside a cluster, opens it.
var refusedBlocks = []netip.Prefix{
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fe80::/10"),
}

// loopbackBlocks are this host's loopback addresses, re-opened only by
// Options.ChatbotAllowLoopback (a webhook server outside a cluster).
var loopbackBlocks = []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("::1/128"),
}

// metadataAddrs are the cloud metadata services (AWS, GCP, Azure, OpenStack
// at 169.254.169.254, AWS's IPv6 endpoint, Alibaba's): no opt-in range that
// contains one of them re-opens anything.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("169.254.169.254"),
	netip.MustParseAddr("fd00:ec2::254"),
	netip.MustParseAddr("100.100.100.200"),
}

// reopeningRanges returns the opt-in ranges that re-open refused addresses
// for chatbot dials, and those that do not. A range re-opens only inside a
// refused block (link-local, or one of the API server's addresses in deny)
// and only when it is no broader than that block, and never when it holds
// a cloud metadata address. A broad range such as 0.0.0.0/0 therefore
// re-opens nothing: the addresses it covers that are not refused were
// allowed anyway, and the refused ones stay refused. (Such a range still
// opens the webhook pod's egress NetworkPolicy.)
func reopeningRanges(optIn, deny []netip.Prefix) (reopen, ignored []netip.Prefix) {
	blocks := append(append([]netip.Prefix(nil), refusedBlocks...), deny...)
	for _, p := range optIn {
		p = p.Masked()
		if holdsMetadata(p) || !insideBlock(p, blocks) {
			ignored = append(ignored, p)
			continue
		}
		reopen = append(reopen, p)
	}
	return reopen, ignored
}

// insideBlock reports whether p lies within one of blocks.
func insideBlock(p netip.Prefix, blocks []netip.Prefix) bool {
	for _, b := range blocks {
		if b.Bits() <= p.Bits() && b.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// holdsMetadata reports whether p contains a cloud metadata address.
func holdsMetadata(p netip.Prefix) bool {
	for _, a := range metadataAddrs {
		if p.Contains(a) || (a.Is4() && p.Contains(netip.AddrFrom16(a.As16()))) {
			return true
		}
	}
	return false
}

// guardedDialer dials chatbots through a dial guard refusing loopback,
// link-local (cloud metadata), unspecified and multicast addresses and the
// API server's addresses, except the ranges the provider re-opens.
func guardedDialer(apiServer, optIn []netip.Prefix, allowLoopback bool) (DialFunc, []netip.Prefix) {
	reopen, ignored := reopeningRanges(optIn, apiServer)
	if allowLoopback {
		reopen = append(reopen, loopbackBlocks...)
	}
	g := dialguard.New(apiServer, reopen)
	d := &net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second, Control: g.Control}
	return d.DialContext, ignored
}
