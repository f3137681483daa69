// A tiny HTTP service started by entrypoint.sh once keyward has validated its
// secrets. It reads keyward's JSON report ($KEYWARD_REPORT): logs the
// warnings (rotation due soon...) and serves a summary on /health. The report
// holds secret names and problems only, never a value.
//
//   node server.js            listen on $PORT (default 3000)
//   node server.js --check    print the summary and exit (used by the test)
"use strict";

const fs = require("fs");
const http = require("http");

function readReport(path) {
  if (!path) throw new Error("KEYWARD_REPORT is not set: start through entrypoint.sh");
  const report = JSON.parse(fs.readFileSync(path, "utf8"));
  if (report.valid !== true) {
    // entrypoint.sh never starts us on an invalid report; refuse anyway
    throw new Error(`the secrets report says invalid (${report.errors} error(s))`);
  }
  return report;
}

const report = readReport(process.env.KEYWARD_REPORT);
for (const issue of report.issues) {
  console.warn(`secrets: ${issue.severity} ${issue.secret}: ${issue.problem}`);
}
const summary = {
  secrets: "valid",
  environment: report.environment.name,
  checked: report.checked,
  present: report.present,
  warnings: report.warnings,
};

if (process.argv.includes("--check")) {
  console.log(`server: secrets valid: ${JSON.stringify(summary)}`);
  process.exit(0);
}

const port = Number(process.env.PORT || 3000);
http
  .createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(summary));
    } else {
      res.writeHead(404);
      res.end();
    }
  })
  .listen(port, () => console.log(`server: listening on ${port}`));
