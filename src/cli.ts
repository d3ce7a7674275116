#!/usr/bin/env node
// The process-wide memory policy comes first; the program's modules are imported after it, because
// loading them is already enough to grow V8's young generation (see util/heap-policy.ts).
import './util/heap-policy-init.js';

const { default: yargs } = await import('yargs');
const { hideBin } = await import('yargs/helpers');
const { SERVE_OPTIONS, loadConfigFile, resolveConfig } = await import('./config/options.js');
const { serve } = await import('./serve.js');

/**
 * Environment variables with our prefix that name no flag are set by the platform, not by the
 * operator (Kubernetes adds RTMP_RELAY_PORT, RTMP_RELAY_SERVICE_HOST… for a service named
 * rtmp-relay): they are ignored with a warning instead of stopping the start.
 */
function dropUnknownEnvironment(): string[] {
  const known = new Set(Object.keys(SERVE_OPTIONS).map((flag) => `RTMP_RELAY_${flag.toUpperCase().replace(/-/g, '_')}`));
  known.add('RTMP_RELAY_CONFIG');
  const unknown = Object.keys(process.env).filter((name) => name.startsWith('RTMP_RELAY_') && !known.has(name));
  for (const name of unknown) delete process.env[name];
  return unknown;
}

/** The composition root: parse flags (then env RTMP_RELAY_*, then --config, then defaults) and run. */
async function main(argv: string[]): Promise<void> {
  const ignored = dropUnknownEnvironment();
  if (ignored.length > 0) process.stderr.write(`rtmp-relay: ignoring environment variables that name no option: ${ignored.join(', ')}\n`);
  await yargs(argv)
    .scriptName('rtmp-relay')
    .usage('$0 <command> [options]')
    .command(
      'serve',
      'run the ingest, the relay and the admin API',
      (y) =>
        y
          .options(SERVE_OPTIONS)
          .config('config', 'JSON file keyed by these flags (camelCase or dashed); unknown keys are an error', loadConfigFile)
          .env('RTMP_RELAY')
          .example('$0 serve', 'RTMP on :1935, admin on 127.0.0.1:8080, data in ./data')
          .example('$0 serve --rtmp-port 0 --admin-port 0', 'pick free ports and log them')
          .example('$0 serve --rtmps-port 443 --tls-cert cert.pem --tls-key key.pem', 'also accept RTMPS')
          .epilog('Durations: a number of seconds or e.g. 500ms. Sizes: a number of MiB or e.g. 512KiB, 1048576B.'),
      async (args) => {
        const config = resolveConfig(args as Record<string, unknown>, Boolean(process.stdout.isTTY));
        await serve(config);
      },
    )
    .demandCommand(1, 'Say which command to run, e.g. `rtmp-relay serve`.')
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((message, error, y) => {
      if (error) throw error;
      process.stderr.write(`${y.help() ? '' : ''}${message}\n\nRun with --help for the options.\n`);
      process.exit(2);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch((error: unknown) => {
  process.stderr.write(`rtmp-relay: ${(error as Error).message}\n`);
  process.exit(1);
});
