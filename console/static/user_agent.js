// Short names for a session's browser and system, read from its
// user-agent string by simple rules. Product names need no translation;
// each page words the pair with its own sentence ("Chrome on Windows").

const browsers = [["Edg/", "Edge"], ["OPR/", "Opera"], ["Firefox/", "Firefox"], ["FxiOS/", "Firefox"], ["CriOS/", "Chrome"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]];
const systems = [["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iPadOS"], ["Windows", "Windows"], ["Mac OS X", "macOS"], ["CrOS", "ChromeOS"], ["Linux", "Linux"]];

// browserAndOS returns { browser, os } for ua; either is "" when no rule
// recognises it.
export function browserAndOS(ua) {
  const s = ua || "";
  const b = browsers.find(([k]) => s.includes(k));
  const o = systems.find(([k]) => s.includes(k));
  return { browser: b ? b[1] : "", os: o ? o[1] : "" };
}
