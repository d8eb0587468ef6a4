package workload

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// ToObject converts an apply configuration to its typed object, for tests
// and tooling that show what Apply writes. Both are generated from the
// same API types, so this fails only on a programming error.
func ToObject(config runtime.ApplyConfiguration, into client.Object) client.Object {
	raw, err := json.Marshal(config)
	if err == nil {
		err = json.Unmarshal(raw, into)
	}
	if err != nil {
		panic(fmt.Sprintf("convert %T to %T: %v", config, into, err))
	}
	return into
}
