"""boto3 against Postbox's EventBridge: replays, bus permissions, global endpoints, partner event sources.

Run by boto3-events.test.ts with the server's endpoint as the only argument; prints one JSON object of what it
observed, which the test checks. Any exception fails the script (non-zero exit).
"""
import datetime
import json
import sys
import time

import boto3

endpoint = sys.argv[1]
ACCOUNT = "000000000000"
PARTNER = "111111111111"


def client(service, key="test"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key="test")


events = client("events")
sqs = client("sqs")
out = {}

queue_url = sqs.create_queue(QueueName="boto3-replayed")["QueueUrl"]
bus_arn = events.create_event_bus(Name="boto3-bus")["EventBusArn"]
events.put_rule(Name="all", EventBusName="boto3-bus", EventPattern=json.dumps({"source": ["boto3"]}))
events.put_targets(Rule="all", EventBusName="boto3-bus",
                   Targets=[{"Id": "q", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:boto3-replayed"}])
archive_arn = events.create_archive(ArchiveName="boto3-archive", EventSourceArn=bus_arn)["ArchiveArn"]
start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
# Events 30 s old: botocore sends whole seconds, and only events before EventEndTime (now) are replayed.
when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=30)
put = events.put_events(Entries=[
    {"EventBusName": "boto3-bus", "Source": "boto3", "DetailType": "t", "Detail": json.dumps({"n": n}), "Time": when}
    for n in range(3)
])
out["putFailed"] = put["FailedEntryCount"]

started = events.start_replay(ReplayName="boto3-replay", EventSourceArn=archive_arn, EventStartTime=start,
                              EventEndTime=datetime.datetime.now(datetime.timezone.utc),
                              Destination={"Arn": bus_arn})
out["startState"] = started["State"]
for _ in range(100):
    replay = events.describe_replay(ReplayName="boto3-replay")
    if replay["State"] in ("COMPLETED", "FAILED"):
        break
    time.sleep(0.05)
out["replayState"] = replay["State"]
out["replayHasEndTime"] = "ReplayEndTime" in replay
out["listedReplays"] = [r["ReplayName"] for r in events.list_replays(NamePrefix="boto3-")["Replays"]]

bodies = []
for _ in range(10):
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    if not got:
        break
    bodies += [json.loads(m["Body"]) for m in got]
out["delivered"] = len(bodies)
out["replayNames"] = sorted(b.get("replay-name", "") for b in bodies)

events.put_permission(EventBusName="boto3-bus", Action="events:PutEvents", Principal="123456789012", StatementId="boto3")
out["policySids"] = [s["Sid"] for s in json.loads(events.describe_event_bus(Name="boto3-bus")["Policy"])["Statement"]]
events.remove_permission(EventBusName="boto3-bus", StatementId="boto3")
out["policyAfterRemove"] = "Policy" in events.describe_event_bus(Name="boto3-bus")

endpoint_out = events.create_endpoint(
    Name="boto3-endpoint",
    RoutingConfig={"FailoverConfig": {"Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/abc-123"},
                                      "Secondary": {"Route": "us-west-2"}}},
    ReplicationConfig={"State": "DISABLED"},
    EventBuses=[{"EventBusArn": bus_arn}, {"EventBusArn": bus_arn.replace("us-east-1", "us-west-2")}],
)
out["endpointState"] = endpoint_out["State"]
out["endpointId"] = events.describe_endpoint(Name="boto3-endpoint")["EndpointId"]

partner = client("events", PARTNER)
source = "aws.partner/boto3.example/tenant/orders"
partner.create_partner_event_source(Name=source, Account=ACCOUNT)
out["sourceState"] = events.describe_event_source(Name=source)["State"]
events.create_event_bus(Name=source, EventSourceName=source)
out["sourceStateWithBus"] = events.describe_event_source(Name=source)["State"]

print(json.dumps(out))
