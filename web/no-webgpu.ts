/** Stands in for @tensorflow/tfjs-backend-webgpu when that optional dependency is not installed. */
export {};
throw new Error('this page was built without the webgpu backend');
