// The grpc-js client side of the interop tests: runs one case against a server and prints what it
// observed as one JSON line; the C# tests (tests/Targeting.Grpc.Tests/InteropTests.cs) assert on it.
//   node client.js --address 127.0.0.1:PORT --case NAME [--token JWT] [--ca cert.pem]
// Cases follow the gRPC interop spec (doc/interop-test-descriptions.md) where it has one.
'use strict';

const fs = require('fs');
const { grpc, loadTestPackage, decodeStatusDetails, parseArgs } = require('./common');

const args = parseArgs(process.argv);
const testing = loadTestPackage();
const credentials = args.ca
  ? grpc.credentials.createSsl(fs.readFileSync(args.ca))
  : grpc.credentials.createInsecure();

function client(options = {}) {
  return new testing.TestService(args.address, credentials, options);
}

function metadata(extra = {}) {
  const md = new grpc.Metadata();
  if (args.token) {
    md.add('authorization', 'Bearer ' + args.token);
  }
  for (const [key, value] of Object.entries(extra)) {
    md.add(key, value);
  }
  return md;
}

function deadline(ms) {
  return { deadline: new Date(Date.now() + ms) };
}

function zeros(size) {
  return { body: Buffer.alloc(size) };
}

function describeError(error) {
  const result = { code: error.code, details: error.details };
  const details = error.metadata && error.metadata.get('grpc-status-details-bin');
  if (details && details.length > 0) {
    result.statusDetails = decodeStatusDetails(details[0]);
  }
  return result;
}

function unary(c, method, request, md, options = {}) {
  return new Promise((resolve) => {
    const observed = {};
    const call = c[method](request, md, options, (error, response) => {
      if (error) {
        Object.assign(observed, { error: describeError(error) });
      } else {
        observed.response = response;
      }
    });
    call.on('metadata', (headers) => { observed.headers = headers; });
    call.on('status', (status) => { observed.trailers = status.metadata; resolve(observed); });
  });
}

function collect(call) {
  return new Promise((resolve) => {
    const observed = { sizes: [] };
    call.on('data', (message) => observed.sizes.push(message.payload.body.length));
    call.on('error', (error) => { observed.error = describeError(error); });
    call.on('status', (status) => { observed.code = status.code; resolve(observed); });
  });
}

const cases = {
  async empty_unary() {
    const { response, error } = await unary(client(), 'EmptyCall', {}, metadata(), deadline(10000));
    return { response, error };
  },

  async large_unary() {
    const { response, error } = await unary(client(), 'UnaryCall', { response_size: 314159, payload: zeros(271828) }, metadata(), deadline(10000));
    return { responseSize: response ? response.payload.body.length : null, error };
  },

  async client_compressed_unary() {
    const c = client({ 'grpc.default_compression_algorithm': 2 });
    const { response, error } = await unary(c, 'UnaryCall', { response_size: 314159, payload: zeros(271828) }, metadata(), deadline(10000));
    return { responseSize: response ? response.payload.body.length : null, requestEncoding: response ? response.request_encoding : null, error };
  },

  async server_compressed_unary() {
    const { response, error } = await unary(client(), 'UnaryCall', { response_size: 314159, response_compressed: true }, metadata(), deadline(10000));
    return { responseSize: response ? response.payload.body.length : null, error };
  },

  async server_streaming() {
    const request = { response_parameters: [31415, 9, 2653, 58979].map((size) => ({ size })) };
    return collect(client().StreamingOutputCall(request, metadata(), deadline(10000)));
  },

  async server_compressed_streaming() {
    const request = { response_parameters: [31415, 92653].map((size) => ({ size })), response_compressed: true };
    return collect(client().StreamingOutputCall(request, metadata(), deadline(10000)));
  },

  async client_streaming() {
    return new Promise((resolve) => {
      const call = client().StreamingInputCall(metadata(), deadline(10000), (error, response) => {
        resolve(error ? { error: describeError(error) } : { aggregatedPayloadSize: response.aggregated_payload_size });
      });
      for (const size of [27182, 8, 1828, 45904]) {
        call.write({ payload: zeros(size) });
      }
      call.end();
    });
  },

  async ping_pong() {
    const pairs = [[27182, 31415], [8, 9], [1828, 2653], [45904, 58979]];
    const call = client().FullDuplexCall(metadata(), deadline(10000));
    const sizes = [];
    let index = 0;
    return new Promise((resolve) => {
      const next = () => {
        if (index === pairs.length) {
          call.end();
          return;
        }
        const [request, response] = pairs[index++];
        call.write({ payload: zeros(request), response_parameters: [{ size: response }] });
      };
      // Each request goes out only after the previous response arrived: a real ping-pong.
      call.on('data', (message) => { sizes.push(message.payload.body.length); next(); });
      call.on('error', (error) => resolve({ sizes, error: describeError(error) }));
      call.on('status', (status) => { if (status.code === grpc.status.OK) resolve({ sizes, code: status.code }); });
      next();
    });
  },

  async status_code_and_message() {
    const status = { code: 2, message: 'test status message' };
    const u = await unary(client(), 'UnaryCall', { response_status: status }, metadata(), deadline(10000));
    const d = await new Promise((resolve) => {
      const call = client().FullDuplexCall(metadata(), deadline(10000));
      call.on('data', () => {});
      call.on('error', (error) => resolve(describeError(error)));
      call.write({ response_status: status });
      call.end();
    });
    return { unary: u.error, duplex: d };
  },

  async special_status_message() {
    const message = '\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n';
    const { error } = await unary(client(), 'UnaryCall', { response_status: { code: 2, message } }, metadata(), deadline(10000));
    return { error, expected: message };
  },

  async status_details() {
    const request = {
      response_status: {
        code: 3,
        field_violations: [{ field: 'data_window.start', description: 'is required' }, { field: 'budget', description: 'must be positive' }],
      },
    };
    const { error } = await unary(client(), 'UnaryCall', request, metadata(), deadline(10000));
    return { error };
  },

  async custom_metadata() {
    const extra = {
      'x-grpc-test-echo-initial': 'test_initial_metadata_value',
      'x-grpc-test-echo-trailing-bin': Buffer.from([0xab, 0xab, 0xab]),
    };
    const u = await unary(client(), 'UnaryCall', { response_size: 314159, payload: zeros(271828) }, metadata(extra), deadline(10000));
    const d = await new Promise((resolve) => {
      const observed = {};
      const call = client().FullDuplexCall(metadata(extra), deadline(10000));
      call.on('metadata', (headers) => { observed.initial = headers.get('x-grpc-test-echo-initial')[0]; });
      call.on('data', () => {});
      call.on('error', (error) => { observed.error = describeError(error); });
      call.on('status', (status) => {
        observed.trailing = status.metadata.get('x-grpc-test-echo-trailing-bin').map((b) => b.toString('hex'));
        observed.code = status.code;
        resolve(observed);
      });
      call.write({ response_parameters: [{ size: 314159 }], payload: zeros(271828) });
      call.end();
    });
    return {
      unary: {
        initial: u.headers ? u.headers.get('x-grpc-test-echo-initial')[0] : null,
        trailing: u.trailers ? u.trailers.get('x-grpc-test-echo-trailing-bin').map((b) => b.toString('hex')) : null,
        error: u.error,
      },
      duplex: d,
    };
  },

  async timeout_on_sleeping_server() {
    const started = Date.now();
    const { error } = await unary(client(), 'Sleep', { duration_ms: 20000, probe_id: args.probe || '' }, metadata(), deadline(200));
    return { error, elapsedMs: Date.now() - started };
  },

  async cancel_after_begin() {
    return new Promise((resolve) => {
      const call = client().StreamingInputCall(metadata(), deadline(10000), (error) => {
        resolve(error ? { error: describeError(error) } : { unexpected: 'success' });
      });
      call.cancel();
    });
  },

  async cancel_sleeping_call() {
    return new Promise((resolve) => {
      const call = client().Sleep({ duration_ms: 20000, probe_id: args.probe || '' }, metadata(), deadline(20000), (error) => {
        resolve(error ? { error: describeError(error) } : { unexpected: 'success' });
      });
      setTimeout(() => call.cancel(), 300);
    });
  },

  async cancel_after_first_response() {
    const call = client().FullDuplexCall(metadata(), deadline(10000));
    return new Promise((resolve) => {
      call.on('data', () => call.cancel());
      call.on('error', (error) => resolve({ error: describeError(error) }));
      call.write({ payload: zeros(27182), response_parameters: [{ size: 31415 }] });
    });
  },

  async unimplemented_method() {
    const { error } = await unary(client(), 'UnimplementedCall', {}, metadata(), deadline(10000));
    return { error };
  },

  async unimplemented_service() {
    const c = new testing.UnimplementedService(args.address, credentials);
    const { error } = await unary(c, 'UnimplementedCall', {}, metadata(), deadline(10000));
    return { error };
  },

  async unauthenticated() {
    const md = new grpc.Metadata();
    const { error } = await unary(client(), 'EmptyCall', {}, md, deadline(10000));
    return { error };
  },

  // What grpcurl does with reflection: list services, fetch the file declaring one (with its
  // dependencies), and rebuild the schema from the FileDescriptorProtos alone.
  async reflection_describe() {
    const protoLoader = require('@grpc/proto-loader');
    const path = require('path');
    const protobuf = require('protobufjs');
    const descriptor = require('protobufjs/ext/descriptor');
    const definition = protoLoader.loadSync('grpc/reflection/' + (args.version || 'v1') + '/reflection.proto', {
      includeDirs: [path.resolve(__dirname, '..', '..', 'protos')], keepCase: true, defaults: true, oneofs: true,
    });
    const reflection = grpc.loadPackageDefinition(definition).grpc.reflection[args.version || 'v1'];
    const call = new reflection.ServerReflection(args.address, credentials).ServerReflectionInfo(deadline(10000));
    const pending = [];
    call.on('data', (response) => pending.shift()(response));
    const ask = (request) => new Promise((resolve) => { pending.push(resolve); call.write(request); });

    const services = (await ask({ list_services: '' })).list_services_response.service.map((s) => s.name);
    const files = new Map();
    const add = (response) => {
      for (const bytes of response.file_descriptor_response.file_descriptor_proto) {
        const file = descriptor.FileDescriptorProto.decode(bytes);
        files.set(file.name, file);
      }
    };
    add(await ask({ file_containing_symbol: 'targeting.testing.v1.TestService' }));
    const missing = () => [...files.values()].flatMap((f) => f.dependency).filter((d) => !files.has(d));
    for (let names = missing(); names.length > 0; names = missing()) {
      add(await ask({ file_by_filename: names[0] }));
    }
    const notFound = await ask({ file_containing_symbol: 'no.such.Symbol' });
    call.end();
    const root = protobuf.Root.fromDescriptor({ file: [...files.values()] });
    const service = root.lookupService('targeting.testing.v1.TestService');
    service.resolveAll();
    return {
      services,
      files: [...files.keys()],
      methods: Object.values(service.methods).map((m) => `${m.name}(${m.resolvedRequestType.fullName.slice(1)})`),
      notFoundCode: notFound.error_response.error_code,
    };
  },

  async health_check() {
    const protoLoader = require('@grpc/proto-loader');
    const path = require('path');
    const definition = protoLoader.loadSync('grpc/health/v1/health.proto', { includeDirs: [path.resolve(__dirname, '..', '..', 'protos')], keepCase: true, enums: String, defaults: true });
    const health = grpc.loadPackageDefinition(definition).grpc.health.v1;
    const c = new health.Health(args.address, credentials);
    return new Promise((resolve) => {
      c.Check({ service: '' }, deadline(10000), (error, response) => resolve(error ? { error: describeError(error) } : { status: response.status }));
    });
  },
};

async function main() {
  const run = cases[args.case];
  if (!run) {
    console.error(`unknown case '${args.case}'; cases: ${Object.keys(cases).join(', ')}`);
    process.exit(2);
  }
  const result = await run();
  process.stdout.write(JSON.stringify(result, (key, value) => (value && value.type === 'Buffer' ? Buffer.from(value.data).toString('hex') : value)) + '\n');
  process.exit(0);
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
