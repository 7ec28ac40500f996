/** Which library `#primitives` resolved to in this process, for the bench (in no entry point). */
export { library } from '#primitives'
