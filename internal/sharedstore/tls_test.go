package sharedstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"

	"github.com/kubechat/whatsapp-operator/internal/redistest"
)

// testCA writes a CA and a server certificate it signed, for 127.0.0.1 and
// the name redis.test, into dir; it returns the CA's PEM and the files.
func testCA(t *testing.T, dir string) (caPEM []byte, caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test store CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	must(t, err)
	ca, err := x509.ParseCertificate(caDER)
	must(t, err)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "redis.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"redis.test"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err)
	caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	caFile, certFile, keyFile = filepath.Join(dir, "ca.crt"), filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	must(t, os.WriteFile(caFile, caPEM, 0o600))
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return caPEM, caFile, certFile, keyFile
}

// TestTLSVerifiesTheStore: against a real redis-server serving TLS, the
// store connects with the CA given as a file (the pods: a mounted Secret
// or ConfigMap key) or as PEM (the operator's own check), and refuses a
// certificate it cannot verify: without the CA (system roots), or for
// another name than the one expected.
func TestTLSVerifiesTheStore(t *testing.T) {
	t.Parallel()
	caPEM, caFile, certFile, keyFile := testCA(t, t.TempDir())
	srv, tlsAddr, err := redistest.StartTLS(certFile, keyFile)
	must(t, err)
	defer srv.Stop()
	ctx := context.Background()
	open := func(c Config) error {
		c.Address, c.TLS, c.Namespace, c.Provider = tlsAddr, true, "ns", "p"
		c.AllowAddresses, c.KeyPrefix = redistest.Loopback, redistest.Prefix(t)
		// A TLS handshake under make test's -race load can take longer than
		// the production round-trip bound: the refusals below must be the
		// certificate's, not a timeout's.
		c.OpTimeout = 10 * time.Second
		s, err := Open(c, logr.Discard(), nil)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Ping(ctx); err != nil {
			return err
		}
		claim, err := s.Claim(ctx, []string{"m|1|wamid.tls"})
		if err != nil {
			return err
		}
		return s.Done(ctx, claim, []string{"m|1|wamid.tls"})
	}
	for name, c := range map[string]Config{
		"CA file":                   {CAFile: caFile},
		"CA as PEM":                 {CAPEM: caPEM},
		"CA file, name of the cert": {CAFile: caFile, ServerName: "redis.test"},
	} {
		if err := open(c); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, c := range map[string]Config{
		"no CA (system roots)": {},
		"another name":         {CAFile: caFile, ServerName: "other.test"},
	} {
		err := open(c)
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: %v, want a certificate verification error", name, err)
		}
	}
}
