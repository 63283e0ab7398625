"""hcctrials.criteria"""
