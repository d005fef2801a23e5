// Preloaded (`node --expose-gc --require`) into the real `dist/main.js` that
// load-unload-memory.e2e-spec.ts starts: on the IPC message 'measure' it collects garbage fully
// and reports the process's RSS, JS heap and thread count. It changes nothing in the app.
'use strict';
const { readFileSync } = require('node:fs');

process.on('message', (message) => {
  if (message !== 'measure') return;
  // A few full collections a turn apart, so the numbers reflect what is still referenced.
  let rounds = 3;
  const collect = () => {
    global.gc();
    if (--rounds > 0) return setImmediate(collect);
    const status = readFileSync('/proc/self/status', 'utf8');
    process.send({
      rss: process.memoryUsage.rss(),
      heapUsed: process.memoryUsage().heapUsed,
      threads: Number(/^Threads:\s+(\d+)/m.exec(status)[1]),
    });
  };
  collect();
});

// A test process that dies without its afterAll must not leave this server running.
process.on('disconnect', () => process.exit(1));
