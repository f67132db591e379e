// Preloaded into a benchmarked process (node -r): reports its peak RSS on exit.
process.on('exit', () => {
  require('fs').writeSync(2, `\nBENCH_MAX_RSS ${process.resourceUsage().maxRSS * 1024}\n`);
});
