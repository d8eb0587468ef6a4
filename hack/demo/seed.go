package main

import (
	"os"

	"sigs.k8s.io/yaml"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
	"github.com/kubechat/whatsapp-operator/test/e2e"
)

// The second number of the demo's WABA, routed by channel sales-us.
const (
	salesPhoneNumberID      = "106540352242923"
	salesDisplayPhoneNumber = "+1 202-555-0124"
	salesPhoneNumber        = "+12025550124"
)

// The WhatsApp user who writes in the scenario and on the chat page.
const (
	userWaID = "4915112345678"
	userName = "Jana"
)

// writeSimulatorSeed writes the simulated Meta's state for graphsim
// --config: the app (its callback is the webhook server), the WABA with
// two registered numbers, and the system user's token.
func writeSimulatorSeed(path, callbackURL string) error {
	seed := graphsim.SeedFile{
		Apps: []graphsim.App{{ID: e2e.AppID, Name: e2e.AppName, Secret: e2e.AppSecret, CallbackURL: callbackURL}},
		WABAs: []graphsim.SeedWABA{{
			WABA: graphsim.WABA{ID: e2e.WABAID, Name: e2e.WABAName},
			PhoneNumbers: []graphsim.PhoneNumber{
				{ID: e2e.PhoneNumberID, DisplayPhoneNumber: e2e.DisplayPhoneNumber, VerifiedName: e2e.WABAName, QualityRating: "GREEN"},
				{ID: salesPhoneNumberID, DisplayPhoneNumber: salesDisplayPhoneNumber, VerifiedName: "Acme Sales", QualityRating: "GREEN"},
			},
		}},
		Tokens: []graphsim.Token{{Value: e2e.AccessToken, AppID: e2e.AppID}},
	}
	raw, err := yaml.Marshal(seed)
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o600)
}
