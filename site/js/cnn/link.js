// The page object Python registers (glasslab.web.cnn_page): what the views call back.
// focus(col, ch) -> legend data; file(kind, name, bytes); playground(n, p, k, s) -> plain
// result; labels(text); defaultModel(). The controls that the window.glasslab handle
// also offers (classify, setScale, openDetail) call the handle itself.
export const link = { page: null };
export const handle = () => window.glasslab;
