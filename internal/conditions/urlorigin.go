package conditions

import "net/url"

// urlUnshown stands for a URL that has no scheme and host to show.
const urlUnshown = "the URL in spec.chatbot.url"

// URLOrigin shows a URL in a condition message or an Event as
// scheme://host[:port]: its user info, path, query and fragment may carry a
// token (a hosted bot's webhook URL often does), and conditions and Events
// are read by whoever may read the object and shipped to log stores. A
// value that does not parse as a URL with a scheme and a host is not shown.
func URLOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return urlUnshown
	}
	return u.Scheme + "://" + u.Host
}
