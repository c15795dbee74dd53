import { FirebaseError } from "firebase/app";
import { describe, expect, it } from "vitest";
import { authErrorMessage, callableFailure } from "./errors";

describe("authErrorMessage", () => {
  it("explains a known Auth code", () => {
    const error = new FirebaseError("auth/invalid-credential", "Firebase: Error (x).");
    expect(authErrorMessage(error)).toBe("That email and password do not match an account.");
  });

  it("names an unknown code", () => {
    const error = new FirebaseError("auth/something-new", "Firebase: Error.");
    expect(authErrorMessage(error)).toBe("Something went wrong (auth/something-new). Try again.");
  });

  it("passes on a plain error's message", () => {
    expect(authErrorMessage(new Error("offline"))).toBe("offline");
    expect(authErrorMessage("??")).toBe("Something went wrong. Try again.");
  });
});

describe("callableFailure", () => {
  it("strips the functions/ prefix and the HTTP status, and keeps the field", () => {
    const error = Object.assign(
      new FirebaseError("functions/invalid-argument", "edges[3] names no node [400]"),
      { details: { field: "edges[3]" } },
    );
    expect(callableFailure(error)).toEqual({
      code: "invalid-argument",
      message: "edges[3] names no node",
      field: "edges[3]",
    });
  });

  it("leaves the field out when details carry none (or not a string)", () => {
    const bare = new FirebaseError("functions/unavailable", "Try later.");
    expect(callableFailure(bare)).toEqual({ code: "unavailable", message: "Try later." });
    const odd = Object.assign(new FirebaseError("functions/internal", "x"), {
      details: { field: 3 },
    });
    expect(callableFailure(odd)).toEqual({ code: "internal", message: "x" });
  });

  it("reads any other error as unknown", () => {
    expect(callableFailure(new Error("boom"))).toEqual({ code: "unknown", message: "boom" });
    expect(callableFailure(undefined)).toEqual({
      code: "unknown",
      message: "Something went wrong. Try again.",
    });
  });
});
