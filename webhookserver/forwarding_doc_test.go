package webhookserver

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestForwardingDocSnippetsVerify runs every code snippet of
// docs/forwarding.md (Go, Python, Node.js) against bodies signed by the code
// that signs forwarded bodies, so that the guide a chatbot author copies
// from accepts what the server sends and refuses what it must.
func TestForwardingDocSnippetsVerify(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "docs", "forwarding.md"))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"text":"caf\u00e9 \u2014 ok"}}]}]}`)
	key := testForwardingKey
	cases := map[string]struct {
		reason string
		body   []byte
		header string
		want   string
	}{
		"Valid":             {reason: "a body as forwarded verifies", body: body, header: signatureHeader([]byte(key), body), want: "true"},
		"BodyChanged":       {reason: "one changed byte fails", body: append(bytes.Clone(body[:len(body)-1]), ' '), header: signatureHeader([]byte(key), body), want: "false"},
		"SignedByAppSecret": {reason: "the app secret's signature is not the forwarding key's", body: body, header: signatureHeader([]byte(testAppSecret), body), want: "false"},
		"NoPrefix":          {reason: "a header without sha256= fails", body: body, header: strings.TrimPrefix(signatureHeader([]byte(key), body), "sha256="), want: "false"},
		"Empty":             {reason: "a missing header fails", body: body, header: "", want: "false"},
	}
	runners := map[string]func(t *testing.T, dir, snippet string) []string{
		"go": func(t *testing.T, dir, snippet string) []string {
			src := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n" + snippet + `
func main() {
	body, err := os.ReadFile(os.Args[2])
	if err != nil {
		panic(err)
	}
	fmt.Println(verifyForwarded([]byte(os.Args[1]), body, os.Args[3]))
}
`
			write(t, filepath.Join(dir, "main.go"), src)
			bin := filepath.Join(dir, "verify")
			build := exec.Command("go", "build", "-o", bin, filepath.Join(dir, "main.go"))
			build.Dir = dir
			write(t, filepath.Join(dir, "go.mod"), "module verify\n\ngo 1.26\n")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("the Go snippet does not compile: %v\n%s", err, out)
			}
			return []string{bin}
		},
		"python": func(t *testing.T, dir, snippet string) []string {
			write(t, filepath.Join(dir, "verify.py"), snippet+`
import sys

print(str(verify_forwarded(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), sys.argv[3])).lower())
`)
			return []string{interpreter(t, "python3"), filepath.Join(dir, "verify.py")}
		},
		"js": func(t *testing.T, dir, snippet string) []string {
			write(t, filepath.Join(dir, "verify.js"), snippet+`
const fs = require("node:fs");
console.log(String(verifyForwarded(process.argv[2], fs.readFileSync(process.argv[3]), process.argv[4])));
`)
			return []string{interpreter(t, "node"), filepath.Join(dir, "verify.js")}
		},
	}
	for lang, run := range runners {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			snippet := codeBlock(t, string(raw), lang)
			dir := t.TempDir()
			cmd := run(t, dir, snippet)
			for name, tc := range cases {
				bodyFile := filepath.Join(dir, name+".json")
				write(t, bodyFile, string(tc.body))
				out, err := exec.Command(cmd[0], append(cmd[1:], key, bodyFile, tc.header)...).CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s", name, err, out)
				}
				if got := strings.TrimSpace(string(out)); got != tc.want {
					t.Errorf("%s: %s\nthe %s snippet says %s, want %s", name, tc.reason, lang, got, tc.want)
				}
			}
		})
	}
}

// codeBlock returns the one fenced block of lang in doc.
func codeBlock(t *testing.T, doc, lang string) string {
	t.Helper()
	parts := strings.Split(doc, "```"+lang+"\n")
	if len(parts) != 2 {
		t.Fatalf("docs/forwarding.md has %d %s blocks, want one", len(parts)-1, lang)
	}
	return parts[1][:strings.Index(parts[1], "```")]
}

// interpreter finds a program the snippets need; the Go machine image has
// python3 and nodejs, and CI runs there.
func interpreter(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed to test the docs/forwarding.md snippet (apt-get install python3 nodejs): %v", name, err)
	}
	return path
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
