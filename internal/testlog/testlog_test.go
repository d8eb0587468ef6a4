package testlog

import (
	"strings"
	"sync"
	"testing"
)

func TestJSONLoggerKeepsEveryLevelFromManyGoroutines(t *testing.T) {
	log, buf := JSONLogger()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { log.V(4).Info("deep detail", "k", "v") })
	}
	wg.Wait()
	if got := strings.Count(buf.String(), `"msg":"deep detail"`); got != 8 {
		t.Fatalf("%d lines at V(4), want 8:\n%s", got, buf.String())
	}
}
