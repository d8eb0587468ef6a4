package e2e

import (
	"fmt"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// The fictional business every Stack has at Meta: one app, one WhatsApp
// Business Account with one registered number, and a system user token.
const (
	AppID         = "771234567890123"
	AppName       = "Acme Bot App"
	AppSecret     = "demo-app-secret-5f1c9e"
	AccessToken   = "EAAG-demo-access-token"
	VerifyToken   = "demo-verify-token"
	WABAID        = "102290129340398"
	WABAName      = "Acme Support"
	PhoneNumberID = "106540352242922"
	// DisplayPhoneNumber is the number as Meta shows it.
	DisplayPhoneNumber = "+1 202-555-0123"
	// PhoneNumber is the number as a WhatsAppChannel's spec.phoneNumber writes it.
	PhoneNumber = "+12025550123"
	// GraphAPIVersion is the version every client in the Stack speaks.
	GraphAPIVersion = "v25.0"
)

// seedSimulator gives sim the business above. The app's callback is the
// webhook server's URL, so the simulator delivers template status webhooks
// there itself, as Meta delivers them to the app's callback.
func seedSimulator(sim *graphsim.Server, callbackURL string) error {
	sim.AddApp(graphsim.App{ID: AppID, Name: AppName, Secret: AppSecret, CallbackURL: callbackURL})
	sim.AddWABA(graphsim.WABA{ID: WABAID, Name: WABAName})
	if _, err := sim.AddPhoneNumber(WABAID, graphsim.PhoneNumber{
		ID: PhoneNumberID, DisplayPhoneNumber: DisplayPhoneNumber, VerifiedName: WABAName, QualityRating: "GREEN",
	}); err != nil {
		return fmt.Errorf("seed the Graph API simulator: %w", err)
	}
	sim.AddToken(graphsim.Token{Value: AccessToken, AppID: AppID})
	return nil
}

// InboundFrom describes an inbound message from a WhatsApp user to the
// seeded business number, for graphsim's payload builders.
func InboundFrom(waID, profileName string) graphsim.Inbound {
	return graphsim.Inbound{
		WABAID:             WABAID,
		PhoneNumberID:      PhoneNumberID,
		DisplayPhoneNumber: "12025550123",
		From:               waID,
		ProfileName:        profileName,
	}
}
