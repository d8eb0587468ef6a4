package charts

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/graph/graphsim"
)

// The Graph API the guide's curl commands reach: the project's simulator,
// seeded with the guide's WABA, app, number and a token with both scopes.
const (
	docWABA   = "102290129340398"
	docApp    = "771234567890123"
	docToken  = "EAAG-guide-token"
	graphHost = "https://graph.facebook.com"
)

var (
	docGraphOnce sync.Once
	docGraphURL  string
)

func docGraph(t *testing.T) string {
	t.Helper()
	docGraphOnce.Do(func() {
		sim := graphsim.New(graphsim.Options{})
		sim.AddApp(graphsim.App{ID: docApp, Name: "Acme Bot App", Secret: "guide-app-secret"})
		sim.AddWABA(graphsim.WABA{ID: docWABA, Name: "Acme Support"})
		if _, err := sim.AddPhoneNumber(docWABA, graphsim.PhoneNumber{ID: "106540352242922", DisplayPhoneNumber: "+1 202-555-0123", VerifiedName: "Acme Support"}); err != nil {
			t.Fatal(err)
		}
		sim.AddToken(graphsim.Token{Value: docToken, AppID: docApp, Scopes: []string{"whatsapp_business_management", "whatsapp_business_messaging"}})
		docGraphURL = httptest.NewServer(sim).URL // lives as long as the test binary
	})
	return docGraphURL
}

// docEnv is what the pages' shell variables hold when a block runs.
var docEnv = strings.NewReplacer("$META_TOKEN", docToken, "$META_APP_SECRET", "guide-app-secret")

// runDocCurl runs a curl command of a page against the simulator, as curl
// would send it: GET, -G with --data-urlencode as the query, -H headers.
// The answer must be 200 and carry no Graph error object.
func runDocCurl(t *testing.T, where string, args []string) {
	t.Helper()
	var (
		target  string
		get     bool
		query   = url.Values{}
		headers = http.Header{}
	)
	for i := 0; i < len(args); i++ {
		a := docEnv.Replace(args[i])
		switch {
		case a == "-sS" || a == "-s" || a == "-S":
		case a == "-G":
			get = true
		case a == "-H" && i+1 < len(args):
			i++
			k, v, _ := strings.Cut(docEnv.Replace(args[i]), ":")
			headers.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		case a == "--data-urlencode" && i+1 < len(args):
			i++
			k, v, _ := strings.Cut(docEnv.Replace(args[i]), "=")
			query.Set(k, v)
		case strings.HasPrefix(a, graphHost+"/"):
			target = docGraph(t) + strings.TrimPrefix(a, graphHost)
		default:
			t.Errorf("%s: curl %s: %q is unknown to the test; teach runDocCurl", where, strings.Join(args, " "), a)
			return
		}
	}
	if target == "" || (len(query) > 0 && !get) {
		t.Errorf("%s: curl %s: want a Graph API URL (and -G with --data-urlencode)", where, strings.Join(args, " "))
		return
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, vs := range query {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header = headers
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var answer map[string]any
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &answer) != nil || answer["error"] != nil {
		t.Errorf("%s: curl %s: HTTP %d %s", where, strings.Join(args, " "), resp.StatusCode, body)
	}
	if data, ok := answer["data"].(map[string]any); ok && data["is_valid"] == false {
		t.Errorf("%s: debug_token says the token is not valid: %s", where, body)
	}
}
