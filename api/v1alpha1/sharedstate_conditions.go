package v1alpha1

// ConditionSharedStateReady (MetaProvider): whether the webhook and relay
// replicas share what they must (spec.sharedState). It never gates Ready:
// without it messages still flow, at least once. True: Succeeded (the
// store answers the operator) or InMemory (one replica, no store needed);
// False: DuplicatesPossible or StoreUnavailable.
const ConditionSharedStateReady = "SharedStateReady"

// Reasons of SharedStateReady.
const (
	// ReasonInMemory: no spec.sharedState and one replica of each
	// workload: the dedupe memory and send budgets live in memory.
	ReasonInMemory = "InMemory"
	// ReasonDuplicatesPossible: more than one webhook or relay replica and
	// no spec.sharedState: Meta's retries may reach a chatbot twice, and
	// each relay replica sends at its share of a number's rate.
	ReasonDuplicatesPossible = "DuplicatesPossible"
	// ReasonStoreUnavailable: the store in spec.sharedState does not
	// answer (or its password Secret is missing): deliveries are at least
	// once and relay replicas pace at their share until it answers.
	ReasonStoreUnavailable = "StoreUnavailable"
)
