import { configureLogging, getLogger, LogContext } from '../../src/main/index.js';

const log = getLogger('my-app'); // made before configureLogging, and still follows it

// JSON lines for machines, 'pretty' for people (the default picks by whether stderr is a terminal).
configureLogging({ level: 'debug', format: 'json' });

await LogContext.run({ session: '1a2b3c4d', client: '10.0.0.7:51234' }, async () => {
  log.info('serving a client'); // ..."module":"my-app","session":"1a2b3c4d","client":"10.0.0.7:51234","msg":"serving a client"
  await new Promise((resolve) => setTimeout(resolve, 10));
  log.debug({ bytes: 1234 }, 'still in context after a timer');
});
