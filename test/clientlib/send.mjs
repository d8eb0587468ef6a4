// send.mjs sends one message of each kind a chatbot needs through the relay
// with @kapso/whatsapp-cloud-api, unmodified: the only thing that points it
// at the relay is its baseUrl option. relay/sdk_test.go runs it and checks,
// at the Graph API simulator, what arrived.
//
// Input (environment): RELAY_BASE_URL, PHONE_NUMBER_ID, TO,
// LIBRARY_TOKEN (what the library sends as its Authorization header: the
// relay must drop it), IMAGE_FILE (a PNG to upload), MEDIA_LINK (an image
// URL), TEMPLATE_NAME and TEMPLATE_LANGUAGE (an approved template with two
// positional body parameters).
//
// Output: one JSON object on stdout with what the library returned for
// each send (the wamid) and for the upload (the media id). Any error the
// library raises fails the script with a non-zero exit.
import { readFile } from "node:fs/promises";
import { WhatsAppClient } from "@kapso/whatsapp-cloud-api";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const client = new WhatsAppClient({
  baseUrl: env("RELAY_BASE_URL"), // the one change from sending to Meta
  accessToken: env("LIBRARY_TOKEN"), // the library insists on one; the relay ignores it
});
const phoneNumberId = env("PHONE_NUMBER_ID");
const to = env("TO");
const wamid = (answer) => {
  const id = answer?.messages?.[0]?.id;
  if (!id) throw new Error(`no wamid in ${JSON.stringify(answer)}`);
  return id;
};

const out = {};
out.text = wamid(await client.messages.sendText({ phoneNumberId, to, body: "Your order 4521 has shipped." }));

const png = await readFile(env("IMAGE_FILE"));
const upload = await client.media.upload({
  phoneNumberId,
  type: "image/png",
  file: new Blob([png], { type: "image/png" }),
  fileName: "receipt.png",
});
if (!upload?.id) throw new Error(`no media id in ${JSON.stringify(upload)}`);
out.upload = upload.id;
out.imageById = wamid(await client.messages.sendImage({ phoneNumberId, to, image: { id: upload.id, caption: "Your receipt" } }));
out.imageByLink = wamid(await client.messages.sendImage({ phoneNumberId, to, image: { link: env("MEDIA_LINK") } }));

out.template = wamid(await client.messages.sendTemplate({
  phoneNumberId,
  to,
  template: {
    name: env("TEMPLATE_NAME"),
    language: { code: env("TEMPLATE_LANGUAGE") },
    components: [{ type: "body", parameters: [{ type: "text", text: "John" }, { type: "text", text: "#4521" }] }],
  },
}));

out.buttons = wamid(await client.messages.sendInteractiveButtons({
  phoneNumberId,
  to,
  bodyText: "Was this answer helpful?",
  footerText: "Acme Support",
  buttons: [
    { id: "yes", title: "Yes" },
    { id: "no", title: "No" },
    { id: "agent", title: "Talk to a person" },
  ],
}));

out.list = wamid(await client.messages.sendInteractiveList({
  phoneNumberId,
  to,
  bodyText: "Pick a delivery slot",
  buttonText: "Slots",
  sections: [{ title: "Tomorrow", rows: [
    { id: "am", title: "Morning", description: "8:00 to 12:00" },
    { id: "pm", title: "Afternoon", description: "12:00 to 18:00" },
  ] }],
}));

process.stdout.write(JSON.stringify(out) + "\n");
