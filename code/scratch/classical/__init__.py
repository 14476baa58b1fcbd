"""Classical machine learning (Part II): estimators with scikit-learn's contract."""
