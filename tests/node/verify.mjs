// Verifies one callback with the Standard Webhooks reference implementation (npm
// "standardwebhooks"): an implementation independent of hookbroker's own signing code.
// Usage: node verify.mjs FILE, where FILE holds {"secret","headers":{...},"body":"..."}.
// Exit 0 and print "verified" when the signature is accepted; exit 1 with the reason otherwise.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
try {
  new Webhook(input.secret).verify(input.body, input.headers);
  console.log("verified");
} catch (err) {
  console.log(`rejected: ${err.message}`);
  process.exit(1);
}
