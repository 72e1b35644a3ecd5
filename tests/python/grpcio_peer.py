#!/usr/bin/python3
"""Python grpcio (the gRPC C core) as a second independent client of `targeting serve`.

    /usr/bin/python3 tests/python/grpcio_peer.py --address 127.0.0.1:PORT

Bearer tokens come from --planner-token, --officer-token and --public-token or from the
environment (PEER_PLANNER_TOKEN, PEER_OFFICER_TOKEN, PEER_PUBLIC_TOKEN); the officer token's
subject is the officer who records. Stubs are generated from the repository's protos/ into a
temporary folder with grpc_tools.protoc. Prints one line per check; exits 1 at the first failed
check (naming it), 2 when the stubs cannot be generated.
"""

import argparse
import base64
import datetime
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import grpc

HERE = Path(__file__).resolve().parent
PROTOS = HERE.parents[1] / "protos"
SERVICES = (
    "targeting.hotspot.v1.HotspotService",
    "targeting.stops.v1.StopsService",
    "targeting.feedback.v1.FeedbackService",
)
# Per call: generous, as the server may share two loaded cores with a build.
TIMEOUT = 60.0
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def generate_stubs(out):
    """Compiles the protos the checks use into `out` (then importable from there)."""
    # The web gateway's contract is not served by `targeting serve` (the web host serves it, over
    # JSON transcoding) and imports google/api annotations that grpc_tools does not ship.
    targeting = [str(p.relative_to(PROTOS)) for p in sorted((PROTOS / "targeting").rglob("*.proto"))
                 if "testing" not in p.parts and "web" not in p.parts]
    # health and reflection compile from their own folders: as grpc/health/v1/health_pb2 they would
    # sit in a top-level "grpc" package, which grpcio itself shadows.
    runs = [
        (PROTOS, targeting),
        (PROTOS / "grpc" / "health" / "v1", ["health.proto"]),
        (PROTOS / "grpc" / "reflection" / "v1alpha", ["reflection.proto"]),
        (HERE / "protos", ["google/rpc/status.proto", "google/rpc/error_details.proto"]),
    ]
    for include, files in runs:
        run = subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *files],
            capture_output=True, text=True)
        if run.returncode != 0:
            print(f"grpc_tools.protoc failed for {files} ({run.returncode}): {run.stderr.strip()}", file=sys.stderr)
            sys.exit(2)
    sys.path.insert(0, str(out))


def bearer(token):
    return (("authorization", "Bearer " + token),)


def token_subject(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"]


def status_details(error):
    """The google.rpc.Status in the grpc-status-details-bin trailer, or None."""
    from google.rpc import status_pb2

    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return status_pb2.Status.FromString(value)
    return None


def field_violations(status):
    from google.rpc import error_details_pb2

    violations = []
    for detail in status.details:
        if detail.type_url == BAD_REQUEST_TYPE:
            violations.extend(error_details_pb2.BadRequest.FromString(detail.value).field_violations)
    return violations


def expect_error(code, call, *args, **kwargs):
    try:
        call(*args, timeout=TIMEOUT, **kwargs)
    except grpc.RpcError as error:
        expect(error.code() == code, f"expected {code.name}, got {error.code().name}: {error.details()}")
        return error
    raise CheckFailed(f"expected {code.name}, but the call succeeded")


def timestamp(when):
    from google.protobuf import timestamp_pb2

    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(when)
    return stamp


def check_health(channel):
    import health_pb2
    import health_pb2_grpc

    health = health_pb2_grpc.HealthStub(channel)
    for service in SERVICES:
        # wait_for_ready: the first call rides out a server that is still binding its port.
        reply = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT, wait_for_ready=True)
        expect(reply.status == health_pb2.HealthCheckResponse.SERVING,
               f"{service} is {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}")
    return "health: " + ", ".join(SERVICES) + " SERVING (no token)"


def check_reflection(channel):
    import reflection_pb2
    import reflection_pb2_grpc
    from google.protobuf import descriptor_pb2

    reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
    requests = [
        reflection_pb2.ServerReflectionRequest(list_services="*"),
        reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICES[0]),
    ]
    responses = list(reflection.ServerReflectionInfo(iter(requests), timeout=TIMEOUT))
    expect(len(responses) == 2, f"{len(requests)} requests got {len(responses)} responses")
    listed, found = responses
    expect(listed.WhichOneof("message_response") == "list_services_response", f"list_services answered {listed}")
    names = {service.name for service in listed.list_services_response.service}
    expect(set(SERVICES) <= names, f"list_services gave {sorted(names)}, not all of {SERVICES}")
    expect(found.WhichOneof("message_response") == "file_descriptor_response", f"file_containing_symbol answered {found}")
    files = [descriptor_pb2.FileDescriptorProto.FromString(b) for b in found.file_descriptor_response.file_descriptor_proto]
    methods = {m.name for f in files if f.package == "targeting.hotspot.v1" for s in f.service for m in s.method}
    expect("ListBoundaries" in methods, f"the HotspotService descriptor has no ListBoundaries (methods: {sorted(methods)})")
    return f"reflection: lists {len(names)} services including all three; HotspotService's descriptor parses"


def check_hotspot(channel, planner):
    from targeting.hotspot.v1 import hotspot_pb2, hotspot_pb2_grpc

    reply = hotspot_pb2_grpc.HotspotServiceStub(channel).ListBoundaries(
        hotspot_pb2.ListBoundariesRequest(kind="borough"), metadata=bearer(planner), timeout=TIMEOUT)
    names = {b.name for b in reply.boundaries}
    expect({"Lambeth", "Barking and Dagenham"} <= names, f"boroughs are {sorted(names)}, without Lambeth and Barking and Dagenham")
    lambeth = next(b for b in reply.boundaries if b.name == "Lambeth")
    expect(20e6 < lambeth.area_m2 < 35e6, f"Lambeth's area is {lambeth.area_m2} m², not about 26.8 km²")
    return f"hotspot ListBoundaries (planner): {sorted(names)}, Lambeth {lambeth.area_m2 / 1e6:.1f} km²"


def person_search(officer, grounds, now):
    """A complete live PACE s1 person search in Brixton ten minutes ago, recorded by `officer`."""
    from targeting.common.v1 import common_pb2
    from targeting.stops.v1 import stops_pb2 as s

    return s.Encounter(
        occurred_at=timestamp(now - datetime.timedelta(minutes=10)),
        location=common_pb2.LatLng(latitude=51.4627, longitude=-0.1145),
        location_precision=s.LOCATION_PRECISION_EXACT,
        type=s.ENCOUNTER_TYPE_PERSON_SEARCH,
        legal_power=s.LEGAL_POWER_PACE_S1,
        grounds=grounds,
        object_of_search=s.OBJECT_OF_SEARCH_OFFENSIVE_WEAPONS,
        outcome=s.OUTCOME_ARREST,
        outcome_linked_to_object=s.ANSWER_YES,
        removal_of_more_than_outer_clothing=s.ANSWER_NO,
        sex=s.SEX_MALE,
        age_range=s.AGE_RANGE_18_TO_24,
        self_defined_ethnicity=s.SELF_DEFINED_ETHNICITY_BLACK_CARIBBEAN,
        officer_defined_ethnicity=s.OFFICER_DEFINED_ETHNICITY_BLACK,
        procedural_justice=s.ProceduralJustice(
            grounds_explained=s.ANSWER_YES, person_heard=s.ANSWER_YES, treated_with_respect=s.ANSWER_YES,
            debrief_given=s.ANSWER_NO, record_copy_offered=s.ANSWER_YES, body_worn_video_on=s.ANSWER_YES),
        officer=s.Officer(pseudonym=token_subject(officer), team="team-1", precision_trained=True),
        part_of_operation=s.ANSWER_NO,
    )


def check_stops(channel, officer):
    from targeting.common.v1 import common_pb2
    from targeting.stops.v1 import stops_pb2, stops_pb2_grpc

    stops = stops_pb2_grpc.StopsServiceStub(channel)
    now = datetime.datetime.now(datetime.timezone.utc)
    pseudonym = token_subject(officer)
    grounds = "Seen passing a knife to another person outside the station (grpcio peer)"
    request = stops_pb2.RecordEncounterRequest(request_id=str(uuid.uuid4()), encounter=person_search(officer, grounds, now))
    receipt = stops.RecordEncounter(request, metadata=bearer(officer), timeout=TIMEOUT)
    expect(receipt.encounter_id and not receipt.replayed, f"the first write's receipt has no id or is a replay: {receipt}")
    # The same request_id again is a replay of the first receipt, not a second record.
    again = stops.RecordEncounter(request, metadata=bearer(officer), timeout=TIMEOUT)
    expect(again.encounter_id == receipt.encounter_id and again.replayed, f"retry gave {again}, first {receipt}")

    query = stops_pb2.EncounterQuery(window=common_pb2.TimeWindow(
        start=timestamp(now - datetime.timedelta(hours=1)), end=timestamp(now + datetime.timedelta(hours=1))))
    records = list(stops.QueryEncounters(query, metadata=bearer(officer), timeout=TIMEOUT))
    mine = [r for r in records if r.encounter_id == receipt.encounter_id]
    expect(len(mine) == 1, f"QueryEncounters gave {[r.encounter_id for r in records]}, not {receipt.encounter_id} once")
    expect(mine[0].current.grounds == grounds and mine[0].recorded_by == pseudonym, f"read back other grounds or recorder than written: {mine[0]}")
    return f"stops RecordEncounter + QueryEncounters (officer {pseudonym}): {receipt.encounter_id} read back, retry replayed"


def check_feedback(channel, public):
    from targeting.feedback.v1 import feedback_pb2, feedback_pb2_grpc

    report = feedback_pb2_grpc.FeedbackServiceStub(channel).GetTransparencyReport(
        feedback_pb2.TransparencyRequest(), metadata=bearer(public), timeout=TIMEOUT)
    expect(report.suppression_threshold == 5, f"suppression_threshold is {report.suppression_threshold}, not the default 5")
    expect(report.method_note, "the report has no method_note")
    return f"feedback GetTransparencyReport (public): suppression_threshold 5, {len(report.rows)} rows"


def check_unauthenticated(channel):
    from targeting.hotspot.v1 import hotspot_pb2, hotspot_pb2_grpc

    hotspot = hotspot_pb2_grpc.HotspotServiceStub(channel)
    expect_error(grpc.StatusCode.UNAUTHENTICATED, hotspot.ListBoundaries, hotspot_pb2.ListBoundariesRequest())
    expect_error(grpc.StatusCode.UNAUTHENTICATED, hotspot.ListBoundaries, hotspot_pb2.ListBoundariesRequest(),
                 metadata=bearer("not.a.token"))
    return "no token, or a malformed one: UNAUTHENTICATED"


def check_invalid_argument(channel, planner):
    from targeting.common.v1 import common_pb2
    from targeting.hotspot.v1 import hotspot_pb2, hotspot_pb2_grpc

    now = datetime.datetime.now(datetime.timezone.utc)
    request = hotspot_pb2.ProposePatrolAreasRequest(
        area=common_pb2.AreaOfInterest(boundary_name="Lambeth"),
        data_window=common_pb2.TimeWindow(start=timestamp(now - datetime.timedelta(days=365)), end=timestamp(now)),
        budget_fraction=2.0,
        method=hotspot_pb2.METHOD_KDE)
    error = expect_error(grpc.StatusCode.INVALID_ARGUMENT, hotspot_pb2_grpc.HotspotServiceStub(channel).ProposePatrolAreas,
                         request, metadata=bearer(planner))
    status = status_details(error)
    expect(status is not None, "no grpc-status-details-bin trailer")
    expect(status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0], f"google.rpc.Status code is {status.code}, not INVALID_ARGUMENT (3)")
    expect(status.message == error.details(), f"Status message {status.message!r} is not grpc-message {error.details()!r}")
    fields = [v.field for v in field_violations(status)]
    expect(fields == ["budget_fraction"], f"violations are on {fields}, not just budget_fraction")
    return f"INVALID_ARGUMENT: google.rpc.BadRequest names budget_fraction ({status.message})"


def check_gzip(channel, officer):
    from targeting.stops.v1 import stops_pb2, stops_pb2_grpc

    stops = stops_pb2_grpc.StopsServiceStub(channel)
    # The C core sends a message uncompressed when gzip would not make it smaller, so the request
    # must be compressible: 1,500 characters of grounds.
    grounds = ("Matched the description of a man seen carrying a knife on Coldharbour Lane. " * 20)[:1500]
    request = stops_pb2.RecordEncounterRequest(
        request_id=str(uuid.uuid4()), encounter=person_search(officer, grounds, datetime.datetime.now(datetime.timezone.utc)))
    receipt = stops.RecordEncounter(request, metadata=bearer(officer), timeout=TIMEOUT, compression=grpc.Compression.Gzip)
    record = stops.GetEncounter(stops_pb2.GetEncounterRequest(encounter_id=receipt.encounter_id), metadata=bearer(officer),
                                timeout=TIMEOUT)
    expect(record.current.grounds == grounds, f"read back other grounds than written: {record.current.grounds!r}")
    return f"gzip-compressed RecordEncounter ({request.ByteSize()} bytes before gzip) recorded and read back"


def check_too_large(channel, planner):
    from targeting.hotspot.v1 import hotspot_pb2, hotspot_pb2_grpc

    # 5 MB, over the server's 4 MiB default receive limit (grpcio itself sends any size).
    request = hotspot_pb2.ListBoundariesRequest(kind="x" * (5 * 1000 * 1000))
    error = expect_error(grpc.StatusCode.RESOURCE_EXHAUSTED, hotspot_pb2_grpc.HotspotServiceStub(channel).ListBoundaries,
                         request, metadata=bearer(planner))
    return f"5 MB request: RESOURCE_EXHAUSTED ({error.details()})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", required=True, help="host:port of `targeting serve` (cleartext HTTP/2)")
    for role in ("planner", "officer", "public"):
        variable = f"PEER_{role.upper()}_TOKEN"
        parser.add_argument(f"--{role}-token", default=os.environ.get(variable), help=f"default: ${variable}")
    args = parser.parse_args()
    missing = [role for role in ("planner", "officer", "public") if not getattr(args, f"{role}_token")]
    if missing:
        parser.error("no token for " + ", ".join(missing))

    with tempfile.TemporaryDirectory(prefix="grpcio-peer-") as stubs:
        generate_stubs(stubs)
        print(f"grpcio {grpc.__version__} against {args.address}")
        with grpc.insecure_channel(args.address) as channel:
            checks = [
                ("health", lambda: check_health(channel)),
                ("reflection", lambda: check_reflection(channel)),
                ("hotspot", lambda: check_hotspot(channel, args.planner_token)),
                ("stops", lambda: check_stops(channel, args.officer_token)),
                ("feedback", lambda: check_feedback(channel, args.public_token)),
                ("unauthenticated", lambda: check_unauthenticated(channel)),
                ("invalid argument", lambda: check_invalid_argument(channel, args.planner_token)),
                ("gzip", lambda: check_gzip(channel, args.officer_token)),
                ("too large", lambda: check_too_large(channel, args.planner_token)),
            ]
            for name, check in checks:
                try:
                    print("ok   " + check(), flush=True)
                except (CheckFailed, grpc.RpcError) as failure:
                    detail = f"{failure.code().name}: {failure.details()}" if isinstance(failure, grpc.RpcError) else str(failure)
                    print(f"FAIL {name}: {detail}", flush=True)
                    return 1
    print(f"all {len(checks)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
