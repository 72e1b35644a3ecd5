// Shared by client.js and server.js: loads the interop test service from protos/ and encodes
// google.rpc.Status with BadRequest details (grpc-status-details-bin).
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const protosRoot = path.resolve(__dirname, '..', '..', 'protos');

function loadTestPackage() {
  const definition = protoLoader.loadSync('targeting/testing/v1/test.proto', {
    includeDirs: [protosRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).targeting.testing.v1;
}

// google.rpc.Status and google.rpc.BadRequest (googleapis google/rpc/status.proto and
// error_details.proto), field numbers as published.
const rpcRoot = protobuf.parse(`
  syntax = "proto3";
  package google.rpc;
  message Any { string type_url = 1; bytes value = 2; }
  message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
  message BadRequest {
    message FieldViolation { string field = 1; string description = 2; }
    repeated FieldViolation field_violations = 1;
  }
`, { keepCase: true }).root;
const Status = rpcRoot.lookupType('google.rpc.Status');
const BadRequest = rpcRoot.lookupType('google.rpc.BadRequest');
const badRequestTypeUrl = 'type.googleapis.com/google.rpc.BadRequest';

function encodeStatusDetails(code, message, violations) {
  const badRequest = BadRequest.encode(BadRequest.create({
    field_violations: violations.map((v) => ({ field: v.field, description: v.description })),
  })).finish();
  return Buffer.from(Status.encode(Status.create({
    code,
    message,
    details: [{ type_url: badRequestTypeUrl, value: badRequest }],
  })).finish());
}

function decodeStatusDetails(bytes) {
  const status = Status.decode(bytes);
  const violations = [];
  for (const any of status.details) {
    if (any.type_url === badRequestTypeUrl) {
      for (const v of BadRequest.decode(any.value).field_violations) {
        violations.push({ field: v.field, description: v.description });
      }
    }
  }
  return { code: status.code, message: status.message, violations };
}

function parseArgs(argv) {
  const args = {};
  for (let i = 2; i < argv.length; i += 2) {
    args[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  return args;
}

module.exports = { grpc, loadTestPackage, encodeStatusDetails, decodeStatusDetails, parseArgs };
