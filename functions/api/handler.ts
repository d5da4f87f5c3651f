// Placeholder until the read API lands: the api function's entry point.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: JSON.stringify({ status: 'ok' }),
});
