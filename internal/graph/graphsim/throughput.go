package graphsim

// Throughput: the simulator counts accepted sends per phone number and per
// second of its clock, and, when Options.MessagesPerSecond is set, answers
// 130429 to a send beyond that many in one second, as Meta does past a
// number's throughput.

// recordSendLocked counts an accepted send of a number in the current
// second. s.mu must be held.
func (s *Server) recordSendLocked(phoneNumberID string) {
	if s.sendSeconds == nil {
		s.sendSeconds = map[string]map[int64]int{}
	}
	per := s.sendSeconds[phoneNumberID]
	if per == nil {
		per = map[int64]int{}
		s.sendSeconds[phoneNumberID] = per
	}
	per[s.now().Unix()]++
}

// throughputExceededLocked reports whether a number already accepted its
// Options.MessagesPerSecond sends in the current second. s.mu must be held.
func (s *Server) throughputExceededLocked(phoneNumberID string) bool {
	limit := s.opts.MessagesPerSecond
	return limit > 0 && s.sendSeconds[phoneNumberID][s.now().Unix()] >= limit
}

// SendsPerSecond returns how many sends a phone number had accepted in
// each second (Unix time) of the simulator's clock.
func (s *Server) SendsPerSecond(phoneNumberID string) map[int64]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int64]int, len(s.sendSeconds[phoneNumberID]))
	for sec, n := range s.sendSeconds[phoneNumberID] {
		out[sec] = n
	}
	return out
}

// MaxSendsInASecond is the most sends a phone number had accepted within
// one second of the simulator's clock.
func (s *Server) MaxSendsInASecond(phoneNumberID string) int {
	most := 0
	for _, n := range s.SendsPerSecond(phoneNumberID) {
		most = max(most, n)
	}
	return most
}
