// Command graphsim runs the Graph API simulator as a process for the demo.
// It seeds one app, WABA, phone number and token from flags, or everything
// from a JSON/YAML file (--config, the graphsim.SeedFile shape), then prints
// the base URL to give the operator as --graph-api-url.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

const shutdownGrace = 5 * time.Second

type flags struct {
	addr, config                           string
	seed                                   uint64
	wabaID, wabaName                       string
	phoneID, phoneNumber, verifiedName     string
	appID, appName, appSecret, appCallback string
	token                                  string
	reviewDelay                            time.Duration
	reviewOutcome, reviewReason            string
	enforceLimits, verifyCallbacks         bool
	statusWebhooks                         bool
}

func main() {
	var f flags
	flag.StringVar(&f.addr, "addr", "127.0.0.1:8090", "listen address")
	flag.StringVar(&f.config, "config", "", "seed file (JSON or YAML, graphsim.SeedFile); replaces the seeding flags")
	flag.Uint64Var(&f.seed, "seed", 1, "seed for fault rates and trace ids")
	flag.StringVar(&f.wabaID, "waba-id", "102290129340398", "WABA id")
	flag.StringVar(&f.wabaName, "waba-name", "Acme Support", "WABA name")
	flag.StringVar(&f.phoneID, "phone-number-id", "106540352242922", "phone number id")
	flag.StringVar(&f.phoneNumber, "phone-number", "+1 202-555-0123", "display phone number")
	flag.StringVar(&f.verifiedName, "verified-name", "Acme Support", "verified name")
	flag.StringVar(&f.appID, "app-id", "634974688087057", "app id")
	flag.StringVar(&f.appName, "app-name", "Acme Bot App", "app name")
	flag.StringVar(&f.appSecret, "app-secret", "demo-app-secret", "app secret (signs webhooks)")
	flag.StringVar(&f.appCallback, "app-callback", "", "app callback URL for template and quality webhooks")
	flag.StringVar(&f.token, "token", "demo-access-token", "access token accepted for the WABA")
	flag.DurationVar(&f.reviewDelay, "review-delay", 10*time.Second, "template review delay")
	flag.StringVar(&f.reviewOutcome, "review-outcome", "APPROVED", "review outcome: APPROVED, REJECTED, or empty for manual")
	flag.StringVar(&f.reviewReason, "review-reason", "", "rejection reason when the outcome is REJECTED")
	flag.BoolVar(&f.enforceLimits, "enforce-rate-limits", false, "answer 80007 past Meta's hourly budgets")
	flag.BoolVar(&f.verifyCallbacks, "verify-callbacks", false, "perform the verification handshake on callback overrides")
	flag.BoolVar(&f.statusWebhooks, "status-webhooks", false, "send sent and delivered status webhooks for every accepted message, as the user's phone does")
	flag.Parse()
	if err := run(f); err != nil {
		fmt.Fprintln(os.Stderr, "graphsim:", err)
		os.Exit(1)
	}
}

func run(f flags) error {
	sim := graphsim.New(graphsim.Options{
		Seed:              f.seed,
		ReviewDelay:       f.reviewDelay,
		ReviewOutcome:     graphsim.Review{Status: f.reviewOutcome, Reason: f.reviewReason},
		EnforceRateLimits: f.enforceLimits,
		VerifyCallbacks:   f.verifyCallbacks,
		StatusWebhooks:    f.statusWebhooks,
	})
	defer sim.Close()
	seed, err := seedFrom(f)
	if err != nil {
		return err
	}
	if err := sim.Apply(seed); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("graphsim listening on http://%s (use as --graph-api-url; control surface under %s)\n", ln.Addr(), graphsim.ControlPrefix)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// seedFrom reads the seed file, or builds one WABA/phone/app/token from flags.
func seedFrom(f flags) (graphsim.SeedFile, error) {
	if f.config != "" {
		raw, err := os.ReadFile(f.config)
		if err != nil {
			return graphsim.SeedFile{}, err
		}
		var seed graphsim.SeedFile
		if err := yaml.Unmarshal(raw, &seed); err != nil {
			return graphsim.SeedFile{}, fmt.Errorf("reading %s: %w", f.config, err)
		}
		return seed, nil
	}
	return graphsim.SeedFile{
		Apps: []graphsim.App{{ID: f.appID, Name: f.appName, Secret: f.appSecret, CallbackURL: f.appCallback}},
		WABAs: []graphsim.SeedWABA{{
			WABA: graphsim.WABA{ID: f.wabaID, Name: f.wabaName},
			PhoneNumbers: []graphsim.PhoneNumber{{
				ID: f.phoneID, DisplayPhoneNumber: f.phoneNumber, VerifiedName: f.verifiedName,
			}},
		}},
		Tokens: []graphsim.Token{{Value: f.token, AppID: f.appID, WABAs: []string{f.wabaID}}},
	}, nil
}
