// The grpc-js server side of the interop tests and of the benchmark: the interop TestService
// (protos/targeting/testing/v1/test.proto) on a free loopback port.
//   node server.js [--port 0] [--cert cert.pem --key key.pem] [--watch-stdin 1]
// Prints "LISTENING <port>" once bound, then one "EVENT ..." line per server-side event the C#
// tests check ("EVENT started Sleep <probe_id>" when a Sleep handler begins, "EVENT cancelled Sleep
// <probe_id>" when a Sleep call is cancelled or times out).
// Stops on SIGTERM, or with --watch-stdin 1 when stdin closes (the tests' way to never leak it).
'use strict';

const fs = require('fs');
const { grpc, loadTestPackage, encodeStatusDetails, parseArgs } = require('./common');

const args = parseArgs(process.argv);
const testing = loadTestPackage();

const ECHO_INITIAL = 'x-grpc-test-echo-initial';
const ECHO_TRAILING = 'x-grpc-test-echo-trailing-bin';

function event(...parts) {
  process.stdout.write(['EVENT', ...parts].join(' ') + '\n');
}

function zeros(size) {
  return { body: Buffer.alloc(size) };
}

function echoInitial(call) {
  const value = call.metadata.get(ECHO_INITIAL);
  if (value.length > 0) {
    const md = new grpc.Metadata();
    md.set(ECHO_INITIAL, value[0]);
    call.sendMetadata(md);
  }
}

function echoTrailing(call) {
  const md = new grpc.Metadata();
  for (const value of call.metadata.get(ECHO_TRAILING)) {
    md.add(ECHO_TRAILING, value);
  }
  return md;
}

// The status a request asks for, as a grpc-js error object (null when none).
function requestedStatus(status, trailing) {
  if (!status || status.code === 0) {
    return null;
  }
  const metadata = trailing || new grpc.Metadata();
  if (status.field_violations && status.field_violations.length > 0) {
    const message = 'Invalid request: ' + status.field_violations.map((v) => `${v.field} ${v.description}`).join('; ');
    metadata.set('grpc-status-details-bin', encodeStatusDetails(status.code, message, status.field_violations));
    return { code: status.code, details: message, metadata };
  }
  return { code: status.code, details: status.message, metadata };
}

async function writeResponses(call, request) {
  for (const parameters of request.response_parameters) {
    if (parameters.interval_us > 0) {
      await new Promise((resolve) => setTimeout(resolve, parameters.interval_us / 1000));
    }
    if (call.cancelled) {
      return;
    }
    call.write({ payload: zeros(parameters.size) });
  }
}

const handlers = {
  EmptyCall(call, callback) {
    callback(null, {});
  },

  UnaryCall(call, callback) {
    echoInitial(call);
    const trailing = echoTrailing(call);
    const error = requestedStatus(call.request.response_status, trailing);
    if (error) {
      callback(error);
      return;
    }
    // grpc-js hides the request's grpc-encoding from handlers, so request_encoding stays empty here.
    callback(null, { payload: zeros(call.request.response_size) }, trailing);
  },

  async StreamingOutputCall(call) {
    echoInitial(call);
    const trailing = echoTrailing(call);
    await writeResponses(call, call.request);
    const error = requestedStatus(call.request.response_status, trailing);
    if (error) {
      call.emit('error', error);
      return;
    }
    call.end(trailing);
  },

  StreamingInputCall(call, callback) {
    let total = 0;
    call.on('data', (request) => { total += request.payload ? request.payload.body.length : 0; });
    call.on('end', () => callback(null, { aggregated_payload_size: total }));
  },

  FullDuplexCall(call) {
    echoInitial(call);
    const trailing = echoTrailing(call);
    let queue = Promise.resolve();
    let failed = false;
    call.on('data', (request) => {
      queue = queue.then(async () => {
        if (failed) {
          return;
        }
        const error = requestedStatus(request.response_status, trailing);
        if (error) {
          failed = true;
          call.emit('error', error);
          return;
        }
        await writeResponses(call, request);
      });
    });
    call.on('end', () => queue.then(() => { if (!failed) call.end(trailing); }));
  },

  Sleep(call, callback) {
    // Tests ask whether the handler ran at all: on a loaded machine a short deadline can expire
    // before the call reaches the server, and then there is nothing to cancel.
    event('started', 'Sleep', call.request.probe_id || '-');
    const timer = setTimeout(() => callback(null, {}), call.request.duration_ms);
    call.on('cancelled', () => {
      clearTimeout(timer);
      event('cancelled', 'Sleep', call.request.probe_id || '-');
    });
  },
};

const server = new grpc.Server();
server.addService(testing.TestService.service, handlers);
const credentials = args.cert
  ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: fs.readFileSync(args.cert), private_key: fs.readFileSync(args.key) }])
  : grpc.ServerCredentials.createInsecure();
server.bindAsync(`127.0.0.1:${args.port || 0}`, credentials, (error, port) => {
  if (error) {
    console.error(error.message);
    process.exit(1);
  }
  process.stdout.write(`LISTENING ${port}\n`);
});

function stop() {
  server.forceShutdown();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (args['watch-stdin'] === '1') {
  // The test host holds stdin open; when it goes away (even killed), so does this server.
  process.stdin.on('end', stop);
  process.stdin.resume();
}
