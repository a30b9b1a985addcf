// Preloaded into a child process (`node --import`): prints the process's own CPU time at exit, so
// the bench compares `spotlight ask` with `node -e 0` by node's own accounting.
process.on("exit", () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncpu-ms ${(user + system) / 1000}\n`);
});
