package main

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"

	"github.com/kubechat/whatsapp-operator/hack/demo/chatpage"
)

// serveChatPage serves the chat page on loopback and keeps everything
// running until ctx ends (Ctrl-C).
func (d *demo) serveChatPage(ctx context.Context, log logr.Logger) error {
	page, err := chatpage.New(chatpage.Options{
		Sim: d.sim, RestConfig: d.env.Config, Namespace: namespace, Provider: providerName,
		UserWaID: userWaID, UserName: userName, Logger: log.WithName("chat-page"),
	})
	if err != nil {
		return err
	}
	l, err := pageListener(d.opts.pageAddress)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nEverything keeps running. Talk to the bot as a WhatsApp user, and act as Meta:\n\n"+
		"    chat page: http://%s/\n\n"+
		"Look with your own kubectl:\n"+
		"    export KUBECONFIG=%s\n"+
		"    %s get whatsapp -n %s\n\n"+
		"Processes (logs in %s):\n", l.Addr(), d.kubeconfig, kubectlCommand(), namespace, d.dir)
	for i, p := range d.children {
		fmt.Fprintf(d.out, "    pid %-7d %s\n", p.cmd.Process.Pid, d.commands[i])
	}
	fmt.Fprintln(d.out, "\nPress Ctrl-C to stop them all.")
	err = page.Serve(ctx, l)
	fmt.Fprintln(d.out, "\nStopping.")
	return err
}
