/**
 * Every stable error code Pairline raises. Codes never change meaning once released; new failure
 * kinds get new codes. The table in docs/PROTOCOL.md ("Error codes") lists them all with their meaning.
 */
export const ErrorCode = {
  // Input shape
  InvalidArgument: 'INVALID_ARGUMENT',
  InvalidKey: 'INVALID_KEY',
  RandomUnavailable: 'RANDOM_UNAVAILABLE',
  // Pairing URI
  UriMalformed: 'URI_MALFORMED',
  UriUnsupportedVersion: 'URI_UNSUPPORTED_VERSION',
  UriNonCanonical: 'URI_NON_CANONICAL',
  UriExpired: 'URI_EXPIRED',
  // Handshake
  HandshakeWrongState: 'HANDSHAKE_WRONG_STATE',
  HandshakeMalformed: 'HANDSHAKE_MALFORMED',
  HandshakeFailed: 'HANDSHAKE_FAILED',
  HandshakeReplayed: 'HANDSHAKE_REPLAYED',
  PairingBurned: 'PAIRING_BURNED',
  PairingExpired: 'PAIRING_EXPIRED',
  PairingNoAnswer: 'PAIRING_NO_ANSWER',
  PairingSpent: 'PAIRING_SPENT',
  PairingCancelled: 'PAIRING_CANCELLED',
  // Transport frames
  FrameMalformed: 'FRAME_MALFORMED',
  UnexpectedMessage: 'UNEXPECTED_MESSAGE',
  FrameUnsupportedVersion: 'FRAME_UNSUPPORTED_VERSION',
  FrameDecryptFailed: 'FRAME_DECRYPT_FAILED',
  FrameReplayed: 'FRAME_REPLAYED',
  FrameTooOld: 'FRAME_TOO_OLD',
  FrameEpochRejected: 'FRAME_EPOCH_REJECTED',
  CounterExhausted: 'COUNTER_EXHAUSTED',
  PaddingInvalid: 'PADDING_INVALID',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  PayloadMalformed: 'PAYLOAD_MALFORMED',
  SessionClosed: 'SESSION_CLOSED',
  // Relay client (transport/)
  RelayUnavailable: 'RELAY_UNAVAILABLE',
  RelayRejected: 'RELAY_REJECTED',
  RelayInsecure: 'RELAY_INSECURE',
  RequestTimeout: 'REQUEST_TIMEOUT',
  // Sessions (dapp/, wallet/, channel/); provider errors carry one as `pairlineCode`
  SessionExpired: 'SESSION_EXPIRED',
  ExpiryRefused: 'EXPIRY_REFUSED',
  Disconnected: 'DISCONNECTED',
  UserRejected: 'USER_REJECTED',
  UnsupportedMethod: 'UNSUPPORTED_METHOD',
  Unauthorized: 'UNAUTHORIZED',
  RequestExpired: 'REQUEST_EXPIRED',
  RequestOutcomeUnknown: 'REQUEST_OUTCOME_UNKNOWN',
  ResponseMismatch: 'RESPONSE_MISMATCH',
  InvalidParams: 'INVALID_PARAMS',
  InternalError: 'INTERNAL_ERROR',
  RpcError: 'RPC_ERROR',
  StorageFailed: 'STORAGE_FAILED',
  SeqOutOfWindow: 'SEQ_OUT_OF_WINDOW',
  // Resume and device binding (handshakes/resume, keys/)
  SessionTakenOver: 'SESSION_TAKEN_OVER',
  DeviceKeyMismatch: 'DEVICE_KEY_MISMATCH',
  DeviceKeyUnavailable: 'DEVICE_KEY_UNAVAILABLE',
  ResumeRefused: 'RESUME_REFUSED',
  // Sign-in at connect (dapp/)
  SignInFailed: 'SIGN_IN_FAILED',
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]
