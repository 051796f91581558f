#!/usr/bin/env python3
"""Validates real answers of dexter serve against its OpenAPI 3.1 document, with an independent validator.

Usage: openapi-check.py OPENAPI_JSON EXCHANGES_JSON
EXCHANGES_JSON is a list of {"operationId", "status", "contentType", "body"} recorded by the Swift service tests
from a running desk. Each body is validated against the document's schema for that operation and status; every
operation of the document must appear at least once with a 2xx answer. Exits 1 naming each mismatch.
"""
import json
import sys

from openapi_schema_validator import OAS31Validator, validate


def main() -> int:
    document = json.load(open(sys.argv[1]))
    exchanges = json.load(open(sys.argv[2]))
    operations = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                operations[operation["operationId"]] = (method.upper(), path, operation)
    problems = []
    answered = set()
    for exchange in exchanges:
        operation_id = exchange["operationId"]
        if operation_id not in operations:
            problems.append(f"{operation_id}: not an operation of the document")
            continue
        method, path, operation = operations[operation_id]
        status = str(exchange["status"])
        responses = operation.get("responses", {})
        response = responses.get(status)
        if response is None:
            problems.append(f"{method} {path} answered {status}, which the document does not list")
            continue
        if "$ref" in response:
            name = response["$ref"].split("/")[-1]
            response = document["components"]["responses"][name]
        content_type = exchange["contentType"].split(";")[0].strip()
        media = response.get("content", {}).get(content_type)
        if media is None:
            problems.append(f"{method} {path} {status}: content type {content_type} is not documented")
            continue
        if status.startswith("2"):
            answered.add(operation_id)
        body = exchange["body"]
        if content_type == "application/json":
            body = json.loads(body)
        # The document's components travel with the schema, so its "#/components/..." references resolve.
        schema = dict(media["schema"], components=document["components"])
        try:
            validate(body, schema, cls=OAS31Validator)
        except Exception as error:  # the validator's own message names the failing field
            problems.append(f"{method} {path} {status}: {str(error).splitlines()[0]}")
    for operation_id in sorted(set(operations) - answered):
        method, path, _ = operations[operation_id]
        problems.append(f"{method} {path} ({operation_id}): no 2xx answer was recorded")
    for problem in problems:
        print(problem)
    print(f"{len(exchanges)} answers checked against {len(operations)} operations: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
