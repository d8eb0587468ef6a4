package ha

import (
	"os"
	"testing"

	"github.com/kubechat/whatsapp-operator/internal/testenv"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(e *testenv.Env) error { env = e; return nil }))
}
