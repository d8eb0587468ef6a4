package dialguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	apiServer := []netip.Prefix{netip.MustParsePrefix("10.96.0.1/32"), netip.MustParsePrefix("2001:db8:96::1/128")}
	guard := New(apiServer, []netip.Prefix{netip.MustParsePrefix("169.254.20.10/32")})
	cases := map[string]struct {
		reason string
		addr   string
		want   string // "" allowed, else the refusal reason
	}{
		"Public4":          {reason: "a public IPv4 address is dialed", addr: "93.184.215.14:443"},
		"Public6":          {reason: "a public IPv6 address is dialed", addr: "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443"},
		"PodIP":            {reason: "private ranges are allowed unless the caller denies them (chatbots live there)", addr: "10.244.1.7:8080"},
		"Loopback4":        {reason: "127.0.0.1 is this pod", addr: "127.0.0.1:80", want: ReasonLoopback},
		"Loopback4Range":   {reason: "all of 127/8 is loopback", addr: "127.8.9.10:80", want: ReasonLoopback},
		"Loopback6":        {reason: "::1 is this pod", addr: "[::1]:80", want: ReasonLoopback},
		"Metadata":         {reason: "the cloud metadata service hands out node credentials", addr: "169.254.169.254:80", want: ReasonLinkLocal},
		"LinkLocal6":       {reason: "fe80::/10 is link-local", addr: "[fe80::1]:80", want: ReasonLinkLocal},
		"LinkLocal6Zone":   {reason: "a zone does not hide a link-local address", addr: "[fe80::1%eth0]:80", want: ReasonLinkLocal},
		"Unspecified4":     {reason: "0.0.0.0 reaches this host on Linux", addr: "0.0.0.0:80", want: ReasonUnspecified},
		"ThisNetwork":      {reason: "0.0.0.0/8 is this network", addr: "0.1.2.3:80", want: ReasonUnspecified},
		"Unspecified6":     {reason: ":: is unspecified", addr: "[::]:80", want: ReasonUnspecified},
		"Multicast":        {reason: "no TCP peer lives at a multicast address", addr: "239.1.2.3:80", want: ReasonMulticast},
		"Mapped":           {reason: "an IPv4-mapped loopback is loopback", addr: "[::ffff:127.0.0.1]:80", want: ReasonLoopback},
		"MappedMetadata":   {reason: "an IPv4-mapped metadata address is link-local", addr: "[::ffff:169.254.169.254]:80", want: ReasonLinkLocal},
		"MappedHex":        {reason: "the hex spelling of a mapped address is the same address", addr: "[::ffff:a9fe:a9fe]:80", want: ReasonLinkLocal},
		"Compatible":       {reason: "an IPv4-compatible address carries its IPv4 address", addr: "[::169.254.169.254]:80", want: ReasonLinkLocal},
		"NAT64":            {reason: "a NAT64 address reaches the IPv4 address it embeds", addr: "[64:ff9b::a9fe:a9fe]:80", want: ReasonLinkLocal},
		"APIServer":        {reason: "a denied range (the API server) is refused", addr: "10.96.0.1:443", want: ReasonDenied},
		"APIServerMapped":  {reason: "a denied IPv4 range is refused in mapped form too", addr: "[::ffff:10.96.0.1]:443", want: ReasonDenied},
		"APIServer6":       {reason: "a denied IPv6 address is refused", addr: "[2001:db8:96::1]:443", want: ReasonDenied},
		"OptIn":            {reason: "an address in the opt-in list passes even though link-local (node-local DNS cache)", addr: "169.254.20.10:53"},
		"OptInNotNeighbor": {reason: "the opt-in list is exact: its neighbour stays refused", addr: "169.254.20.11:53", want: ReasonLinkLocal},
		"BareIP":           {reason: "a bare IP is checked like ip:port", addr: "127.0.0.1", want: ReasonLoopback},
		"HostName":         {reason: "a name is never dialed unresolved: refuse", addr: "localhost:80", want: ReasonUnparsable},
		"Garbage":          {reason: "anything unparsable is refused", addr: "::ffff:not-an-ip", want: ReasonUnparsable},
		"Empty":            {reason: "an empty address is refused", addr: "", want: ReasonUnparsable},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := guard.CheckHostPort(tc.addr)
			if tc.want == "" {
				if err != nil {
					t.Errorf("%s: %s refused: %v", tc.reason, tc.addr, err)
				}
				return
			}
			var re *RefusedError
			if !errors.As(err, &re) || re.Reason != tc.want || !errors.Is(err, ErrRefused) {
				t.Errorf("%s: %s: got %v, want refusal %q", tc.reason, tc.addr, err, tc.want)
			}
		})
	}
}

func TestZeroGuardRefusesBuiltins(t *testing.T) {
	var g *Guard
	if err := g.CheckHostPort("169.254.169.254:80"); !errors.Is(err, ErrRefused) {
		t.Errorf("a nil Guard still refuses the metadata service: %v", err)
	}
	if err := (&Guard{}).CheckHostPort("8.8.8.8:53"); err != nil {
		t.Errorf("the zero Guard allows public addresses: %v", err)
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := ParsePrefixes(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,,::ffff:10.1.0.0/112")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32", "::ffff:10.1.0.0/112"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d: got %s, want %s", i, got[i], want[i])
		}
	}
	g := New(got[3:], nil)
	if err := g.CheckHostPort("10.1.2.3:80"); !errors.Is(err, ErrRefused) {
		t.Errorf("a mapped prefix denies the plain IPv4 addresses it covers: %v", err)
	}
	if _, err := ParsePrefixes("10.0.0.0/33"); err == nil {
		t.Error("an invalid prefix is an error, not silently dropped")
	}
}

// TestControlRefusesResolvedLoopback dials a name that resolves to
// loopback through a real net.Dialer and HTTP client: the check runs on
// the resolved address, so the server is never reached.
func TestControlRefusesResolvedLoopback(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits++ }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	d := &net.Dialer{Timeout: 2 * time.Second, Control: New(nil, nil).Control}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext, Proxy: nil}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodHead, "http://localhost:"+port+"/", nil)
	_, err := c.Do(req)
	if !errors.Is(err, ErrRefused) {
		t.Errorf("dialing localhost: got %v, want a dial guard refusal", err)
	}
	if hits != 0 {
		t.Errorf("the loopback server was reached %d times", hits)
	}
	// The same dialer with loopback opted in reaches it: the test above
	// failed for the guard, not for the network.
	d.Control = New(nil, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}).Control
	req, _ = http.NewRequestWithContext(ctx, http.MethodHead, "http://localhost:"+port+"/", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("opted-in loopback: %v", err)
	}
	_ = resp.Body.Close()
	if hits != 1 {
		t.Errorf("opted-in loopback server hits = %d, want 1", hits)
	}
}
