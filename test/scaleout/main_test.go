package scaleout

import (
	"fmt"
	"os"
	"testing"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/kubechat/whatsapp-operator/internal/redistest"
	"github.com/kubechat/whatsapp-operator/internal/testenv"
	"github.com/kubechat/whatsapp-operator/internal/testproc"
)

// One API server and one operator binary for the package.
var (
	env *testenv.Env
	bin string
)

func TestMain(m *testing.M) {
	// The operator's controllers log through the Stack's logger; client-go
	// inside the test process logs nothing.
	ctrllog.SetLogger(logr.Discard())
	dir, err := os.MkdirTemp("", "scaleout-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := testenv.RunTests(m, func(e *testenv.Env) error {
		env = e
		bin, err = testproc.BuildOperator(dir)
		return err
	})
	redistest.StopShared()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
