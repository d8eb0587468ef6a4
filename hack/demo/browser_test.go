package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserTimeout bounds the whole browser session.
const browserTimeout = 3 * time.Minute

// checkChatPage drives the chat page in headless Chromium as a user would:
// write and see the echo (its ticks turning blue once read), open the menu
// and tap a reply button, approve the pending template and see its status
// change, close the 24-hour window and see the relay's fallback template.
func (d *runningDemo) checkChatPage(t *testing.T, chromium string) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		// This machine's closed network refuses Chromium's background
		// connections: switch them off.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, browserTimeout)
	defer cancelTimeout()

	var shot []byte
	defer func() {
		if len(shot) == 0 { // the test failed before its screenshot: take one now
			shot, _ = chromedp.Run(ctx, chromedp.FullScreenshot(90))
		}
		saveScreenshot(t, shot)
	}()

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	const (
		echo      = `//li[contains(@class,'business') and @data-ticks='read']//div[@class='text' and .='Echo: Hello from the browser']`
		menu      = `//li[@data-kind='buttons']//button[normalize-space(.)='Track my order']`
		chosen    = `//li[contains(@class,'business')]//div[@class='text' and .='You chose "Track my order" (id track).']`
		approve   = `//li[@data-template='spring_sale']//button[normalize-space(.)='Approve']`
		approved  = `//li[@data-template='spring_sale']/span[contains(@class,'status') and .='APPROVED']`
		tableRow  = `//tr[@data-name='spring-sale']/td[contains(., 'APPROVED')]`
		fallback  = `//li[@data-kind='template']//div[@class='text' and contains(., 'New message: Echo: Are you still there?')]`
		windowBtn = `//button[@id='window-toggle' and @aria-pressed='true']`
	)
	step("open the page and get its snapshot", chromedp.Navigate(d.pageURL),
		chromedp.WaitVisible(chromedp.CSS(`body[data-live="true"]`)),
		chromedp.WaitVisible(`//select[@id='channel']/option[@value='106540352242922']`))
	step("send a text and see the echo, read (blue ticks)",
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "Hello from the browser"),
		chromedp.Submit(chromedp.CSS(`#composer-text`)),
		chromedp.WaitVisible(echo))
	step("ask for the menu and tap a reply button",
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "menu"),
		chromedp.Submit(chromedp.CSS(`#composer-text`)),
		chromedp.WaitVisible(menu),
		chromedp.Click(menu),
		chromedp.WaitVisible(chosen))
	step("approve the pending template and see it APPROVED on the MessageTemplate",
		chromedp.WaitVisible(approve),
		chromedp.Click(approve),
		chromedp.WaitVisible(approved),
		chromedp.WaitVisible(tableRow))
	step("close the 24-hour window, write, and see the fallback template",
		chromedp.Click(chromedp.CSS(`#window-toggle`)),
		chromedp.WaitVisible(windowBtn),
		chromedp.SendKeys(chromedp.CSS(`#composer-text`), "Are you still there?"),
		chromedp.Submit(chromedp.CSS(`#composer-text`)),
		chromedp.WaitVisible(fallback))
	var err error
	if shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(90)); err != nil {
		t.Fatalf("take a screenshot: %v", err)
	}
}

// saveScreenshot keeps the page's picture with the test's output.
func saveScreenshot(t *testing.T, png []byte) {
	if len(png) == 0 {
		return
	}
	path := filepath.Join(t.ArtifactDir(), "chat-page.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("save the screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}
